import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { GwServerSpec } from './stacks.js';

/**
 * GW: W1 ({name} → {msg}) over HTTP at c=64 with autocannon: a bare echo on hono (+ @hono/node-server)
 * and on fastify, each one process, against the gateway (hono) calling a tsmicro service in a second
 * process. Rows run in interleaved rounds; the gateway's ratio is the median of each round's gateway ÷
 * hono-bare (same framework), fastify's likewise (the framework choice). Beside the rate, the CPU
 * time the server processes spend per request (the gateway row counts gateway + service): on this
 * shared 2-core machine the rate swings with other load, the CPU cost per request much less.
 */

export const GW_STACKS = ['hono-bare', 'fastify-bare', 'gateway'] as const;
export type GwStack = (typeof GW_STACKS)[number];

export interface GwRow {
  stack: GwStack;
  /** Requests/s of each round. */
  rates: number[];
  /** Median round's rate, p50 and p99 (ms). */
  rate: number;
  p50: number;
  p99: number;
  /** Median of the per-round ratios to hono-bare (undefined for hono-bare itself). */
  ratio?: number;
  /** Median CPU µs per request of the server processes (gateway: gateway + service). */
  cpuPerRequest: number;
  /** The median round's CPU µs per request of each server process (gateway row: service, then gateway). */
  cpuSplit: number[];
  /** Median of the per-round ratios hono-bare CPU/request ÷ this row's: the rate ratio on an idle machine where servers are CPU-bound. */
  cpuRatio?: number;
  errors: number;
}

export interface GwBenchOptions {
  warmupMs: number;
  measureMs: number;
  rounds: number;
  connections?: number;
  progress?: (s: string) => void;
}

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');
const entry = fileURLToPath(new URL(fromSource ? './server-child.ts' : './server-child.js', import.meta.url));
const execArgv = fromSource ? ['--conditions=source', '--import', 'tsx'] : [];

/** CPU µs a child has used so far. */
function cpuOf(proc: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('GW child did not report its CPU time')), 5000);
    const on = (m: { type: string; us?: number }) => {
      if (m.type !== 'cpu') return;
      proc.off('message', on);
      clearTimeout(t);
      resolve(m.us ?? 0);
    };
    proc.on('message', on);
    proc.send({ type: 'cpu' });
  });
}
const cpuOfEach = (ps: ChildProcess[]) => Promise.all(ps.map(cpuOf));

/** Starts `spec` in a child process of its own (added to `children`); resolves it and its address once it listens. */
export function spawn(spec: GwServerSpec, children: ChildProcess[]): Promise<{ proc: ChildProcess; address: string }> {
  const proc = fork(entry, [JSON.stringify(spec)], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`GW ${spec.role} not ready in 15 s`)), 15_000);
    proc.once('message', (m: { type: string; address?: string; message?: string }) => {
      clearTimeout(t);
      if (m.type === 'ready' && m.address) resolve({ proc, address: m.address });
      else reject(new Error(`GW ${spec.role}: ${m.message ?? 'failed'}`));
    });
    proc.once('exit', (code) => reject(new Error(`GW ${spec.role} exited with ${code}`)));
  });
}

/** Stops every child in `children` (SIGKILL after 3 s) and empties the list. */
export async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || !p.connected) return resolve(void p.kill('SIGKILL'));
          const t = setTimeout(() => p.kill('SIGKILL'), 3000);
          p.once('exit', () => resolve(void clearTimeout(t)));
          p.send({ type: 'stop' });
        }),
    ),
  );
  children.length = 0;
}

const load = (url: string, connections: number, ms: number) =>
  autocannon({
    url: `${url}/bench/Bench.echo`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"name":"bench"}',
    connections,
    duration: ms / 1000,
  });

async function measure(stack: GwStack, o: GwBenchOptions) {
  const children: ChildProcess[] = [];
  try {
    let url: string;
    if (stack === 'gateway') {
      const svc = await spawn({ role: 'service' }, children);
      url = (await spawn({ role: 'gateway', serviceAddress: svc.address }, children)).address;
    } else url = (await spawn({ role: stack }, children)).address;
    await load(url, o.connections ?? 64, o.warmupMs);
    const cpu0 = await cpuOfEach(children);
    const r = await load(url, o.connections ?? 64, o.measureMs);
    const cpu = (await cpuOfEach(children)).map((c, i) => (c - cpu0[i]!) / Math.max(1, r.requests.total));
    const ok = r.requests.total - r.non2xx;
    return {
      rate: ok / (o.measureMs / 1000),
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors + r.non2xx + r.timeouts,
      cpuPerRequest: cpu.reduce((a, b) => a + b, 0),
      /** Per process, in spawn order (gateway row: service, gateway). */
      cpuSplit: cpu,
    };
  } finally {
    await stop(children);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs the GW rows in `rounds` interleaved rounds. */
export async function runGatewayBench(o: GwBenchOptions): Promise<GwRow[]> {
  const runs = new Map<GwStack, Awaited<ReturnType<typeof measure>>[]>(GW_STACKS.map((s) => [s, []]));
  for (let k = 0; k < o.rounds; k++) {
    for (const stack of GW_STACKS) {
      o.progress?.(`GW W1 c=${o.connections ?? 64} over HTTP / ${stack}${o.rounds > 1 ? ` (round ${k + 1}/${o.rounds})` : ''}`);
      runs.get(stack)!.push(await measure(stack, o));
    }
  }
  const base = runs.get('hono-bare')!;
  return GW_STACKS.map((stack) => {
    const rs = runs.get(stack)!;
    const mid = rs.find((r) => r.rate === median(rs.map((x) => x.rate))) ?? rs[Math.floor(rs.length / 2)]!;
    const row: GwRow = {
      stack,
      rates: rs.map((r) => r.rate),
      rate: mid.rate,
      p50: mid.p50,
      p99: mid.p99,
      errors: rs.reduce((n, r) => n + r.errors, 0),
      cpuPerRequest: median(rs.map((r) => r.cpuPerRequest)),
      cpuSplit: mid.cpuSplit,
    };
    if (stack !== 'hono-bare') {
      row.ratio = median(rs.map((r, i) => r.rate / base[i]!.rate));
      row.cpuRatio = median(rs.map((r, i) => base[i]!.cpuPerRequest / r.cpuPerRequest));
    }
    return row;
  });
}

/** The GW table, plain or markdown. */
export function formatGateway(rows: GwRow[], o: { markdown?: boolean } = {}): string {
  const head = ['Stack', 'req/s', 'p50 ms', 'p99 ms', 'vs hono-bare', 'server CPU µs/req', 'CPU vs hono-bare', 'Note'];
  const body = rows.map((r) => [
    r.stack === 'gateway' ? 'gateway (hono) → tsmicro service' : r.stack,
    r.rate.toFixed(0),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
    r.cpuPerRequest.toFixed(0),
    r.cpuRatio === undefined ? '-' : `${r.cpuRatio.toFixed(2)}x`,
    `${r.errors > 0 ? `${r.errors} errors; ` : ''}${r.stack === 'gateway' ? `CPU µs/req service ${r.cpuSplit[0]?.toFixed(0)} + gateway ${r.cpuSplit[1]?.toFixed(0)}; ` : ''}rounds ${r.rates.map((x) => x.toFixed(0)).join(' / ')}`,
  ]);
  if (o.markdown) return [head, head.map(() => '---'), ...body].map((c) => `| ${c.join(' | ')} |`).join('\n');
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((c) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ')).join('\n');
}
