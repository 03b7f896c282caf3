import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, reachable } from '@tsmicro/core/testing';

export { freePort };

/** Waits `ms`, or less when `signal` aborts first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Polls (bounded) until `port` on 127.0.0.1 accepts connections, or refuses them with `up=false`. */
export async function waitPort(port: number, up: boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await reachable(port, '127.0.0.1', 200)) !== up) {
    if (Date.now() > end) throw new Error(`127.0.0.1:${port} not ${up ? 'accepting' : 'closed'} within ${timeoutMs} ms`);
    await pause(20);
  }
}

/** Polls `check` every `interval` ms until it returns a value other than undefined; throws after `timeoutMs` or on abort. */
export async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  interval = 50,
  signal?: AbortSignal,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (signal?.aborted) throw new Error(`${what}: aborted (${String(signal.reason)})`);
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await pause(interval, signal);
  }
}

/** Sends `signal` and resolves once the process is gone; SIGKILL after `graceMs`. */
export async function kill(p: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL', graceMs = 5000): Promise<void> {
  if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}

/**
 * A server process we own that can be stopped and started again with the same arguments
 * (same port, same data dir), e.g. to restart a broker mid-run.
 */
export interface OwnedProcess {
  readonly running: boolean;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

// Last resort when the process exits without cleaning up (e.g. the runner gave up on a scenario):
// a private server must never outlive the run.
const owned = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of owned) p.kill('SIGKILL');
});

export function ownedProcess(command: string, args: string[], ready: () => Promise<void>): OwnedProcess {
  let proc: ChildProcess | undefined;
  return {
    get running() {
      return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
    },
    async start() {
      if (this.running) return;
      const p = spawn(command, args, { stdio: 'ignore' });
      proc = p;
      owned.add(p);
      p.once('exit', () => owned.delete(p));
      const failed = new Promise<never>((_, reject) => {
        p.once('error', reject);
        p.once('exit', (code, sig) => reject(new Error(`${command} exited at start (code ${code}, signal ${sig})`)));
      });
      failed.catch(() => undefined);
      await Promise.race([ready(), failed]);
    },
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      const p = proc;
      proc = undefined;
      await kill(p, signal);
    },
  };
}
