import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixture-service.ts', import.meta.url));

/** A unique service name per run: mDNS and etcd are shared with other test runs on this machine. */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/** What a finished CLI run printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built `tsmicro` with `args` and `env` on top of this process's, feeding `input` on stdin; bounded by `timeout`. */
export function cli(args: string[], o: { env?: Record<string, string>; input?: string; timeout?: number } = {}): Promise<CliResult> {
  const t0 = performance.now();
  const p = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...o.env },
    stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  p.stdin?.end(o.input);
  let stdout = '';
  let stderr = '';
  p.stdout?.on('data', (d: Buffer) => {
    stdout += d;
  });
  p.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  const timer = setTimeout(() => p.kill('SIGKILL'), o.timeout ?? 30_000);
  return new Promise((resolve) => {
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** A process whose output lines the test can wait for. */
export interface Running {
  readonly proc: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** The first line (stdout or stderr) matching `re`, waiting up to `ms`. */
  line(re: RegExp, ms?: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string | null>;
  /** SIGKILL unless already gone; waits for it. */
  kill(): Promise<void>;
}

function track(proc: ChildProcess): Running {
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters = new Set<() => void>();
  for (const k of ['stdout', 'stderr'] as const) {
    const s = proc[k];
    if (s)
      createInterface({ input: s }).on('line', (l) => {
        lines[k].push(l);
        for (const w of waiters) w();
      });
  }
  const exited = new Promise<number | string | null>((resolve) => proc.once('exit', (code, sig) => resolve(code ?? sig)));
  return {
    proc,
    ...lines,
    line(re, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const l = [...lines.stdout, ...lines.stderr].find((x) => re.test(x));
          if (l !== undefined) {
            waiters.delete(check);
            clearTimeout(t);
            resolve(l);
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no line matching ${re} within ${ms} ms; stdout: ${lines.stdout.join('\n')}; stderr: ${lines.stderr.join('\n')}`),
          );
        }, ms);
        waiters.add(check);
        check();
      });
    },
    exited,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Starts the built `tsmicro` with `args` in the background (for subscribe and watch). */
export function startCli(args: string[], env: Record<string, string> = {}): Running {
  return track(spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Starts the fixture service as its own process and waits until it is registered. */
export async function startService(name: string, env: Record<string, string> = {}): Promise<Running & { address: string }> {
  const r = track(
    spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture], {
      env: { ...process.env, FIXTURE_NAME: name, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const ready = await r.line(/^ready /, 20_000);
  return { ...r, address: ready.slice('ready '.length) };
}

/** Stops a service gracefully (SIGTERM), SIGKILL after 5 s. */
export async function stopService(r: Running): Promise<void> {
  if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
  r.proc.kill('SIGTERM');
  const t = setTimeout(() => r.proc.kill('SIGKILL'), 5000);
  await r.exited;
  clearTimeout(t);
}
