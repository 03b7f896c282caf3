import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Inbox, inbox } from './ipc.js';
import type { DiscoverySpec, FromClient, FromServer, LoadReport, LoadSpec, ServerSpec } from './nodes/protocol.js';
import type { ScenarioContext } from './scenario.js';

const SERVER = fileURLToPath(new URL('./nodes/server.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('./nodes/load-client.js', import.meta.url));

/** A chaos server process. */
export interface ServerProc {
  readonly child: ChildProcess;
  readonly box: Inbox<FromServer>;
  readonly address: string;
  readonly pid: number;
}

/** A private mDNS group: loopback only, a random high port per run so runs never hear each other. */
export function privateMdns(): DiscoverySpec {
  return { kind: 'mdns', port: 20_000 + Math.floor(Math.random() * 30_000) };
}

/** A private etcd key prefix, or undefined when etcd does not answer on 127.0.0.1:2379. */
export async function privateEtcd(): Promise<DiscoverySpec | undefined> {
  try {
    const res = await fetch('http://127.0.0.1:2379/version', { signal: AbortSignal.timeout(1500) });
    await res.text();
    if (!res.ok) return undefined;
  } catch {
    return undefined;
  }
  return { kind: 'etcd', prefix: `/chaos/${process.pid}-${Date.now()}/` };
}

/** Server defaults for chaos: a short ttl so a crashed node leaves discovery within seconds. */
export function serverSpec(discovery: DiscoverySpec, o: Partial<Omit<ServerSpec, 'discovery'>> = {}): ServerSpec {
  return { discovery, delayMs: 0, registerTtl: 3000, registerInterval: 1000, gracePeriod: 5000, ...o };
}

/** Starts one server process and waits (bounded) until it is registered. */
export async function startServer(
  ctx: ScenarioContext,
  spec: ServerSpec,
  label: string,
  env: Record<string, string> = {},
): Promise<ServerProc> {
  const child = ctx.spawnNode(SERVER, [JSON.stringify(spec)], env);
  const box = inbox<FromServer>(child, label);
  const ready = await box.next('ready', 20_000);
  return { child, box, address: ready.address, pid: ready.pid };
}

/** SIGTERM and wait for a graceful exit: ms it took (undefined if it had to be killed) and what it left open. */
export async function terminate(s: ServerProc, boundMs = 10_000): Promise<{ ms: number | undefined; leftover: string[] }> {
  const t0 = performance.now();
  s.child.kill('SIGTERM');
  const stopped = await s.box.next('stopped', boundMs).catch(() => undefined);
  const exit = await s.box.exited(Math.max(1000, boundMs - (performance.now() - t0)));
  if (!exit) s.child.kill('SIGKILL');
  return { ms: exit ? Math.round(performance.now() - t0) : undefined, leftover: stopped?.leftover ?? ['no stopped report'] };
}

/** The load-generating client process. */
export interface LoadProc {
  readonly child: ChildProcess;
  readonly box: Inbox<FromClient>;
  /** Epoch ms when the load started. */
  readonly startedAt: number;
  /** Waits for the report, bounded by the load's duration plus `slackMs`. */
  result(slackMs?: number): Promise<LoadReport>;
  /** Addresses that received attempts in the last `withinMs`. */
  recent(withinMs: number): Promise<string[]>;
}

/** Defaults for a load client: c=64 unary, 2 retries, roundRobin. */
export function loadSpec(discovery: DiscoverySpec, o: Partial<Omit<LoadSpec, 'discovery'>> = {}): LoadSpec {
  return {
    discovery,
    concurrency: 64,
    streamWorkers: 0,
    durationMs: 10_000,
    warmupMs: 0,
    strategy: 'roundRobin',
    retries: 2,
    expectNodes: 3,
    sampleEveryMs: 0,
    ...o,
  };
}

/** Starts the client process; resolves once it saw every node and began its load. */
export async function startLoad(ctx: ScenarioContext, spec: LoadSpec, env: Record<string, string> = {}): Promise<LoadProc> {
  const child = ctx.spawnNode(CLIENT, [JSON.stringify(spec)], env);
  const box = inbox<FromClient>(child, 'load client');
  await box.next('ready', 25_000);
  const { at } = await box.next('started', 5000);
  return {
    child,
    box,
    startedAt: at,
    result: async (slackMs = 15_000) => (await box.next('result', spec.durationMs + slackMs)).report,
    async recent(withinMs) {
      box.send({ type: 'nodes', withinMs });
      return (await box.next('nodes', 5000)).recent;
    },
  };
}

/** Env that lets a child force a full GC before each resource sample (`globalThis.gc`). */
export function exposeGc(): Record<string, string> {
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() };
}

/** Polls `check` every `everyMs` until it is true or `ms` pass; returns whether it became true. */
export async function until(check: () => Promise<boolean> | boolean, ms: number, everyMs = 100): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `ms` of sleep that ends early when the scenario is aborted. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The figures every load scenario reports about the caller's view. */
export function callerFigures(r: LoadReport): Record<string, number> {
  return { attempted: r.attempted, succeeded: r.succeeded, failed: r.failed };
}

/** `{ "kind": n, … }` as one short line for notes. */
export function kinds(m: Record<string, number>): string {
  const e = Object.entries(m).sort((a, b) => b[1] - a[1]);
  return e.length === 0 ? 'none' : e.map(([k, n]) => `${n}× ${k}`).join('; ');
}
