import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Built files run as they are; from source (tsx) a child needs the same loader and conditions.
const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
const execArgv = fromSource ? ['--conditions=source', '--import', 'tsx'] : [];

/** `file` with the extension of how this run executes (.ts from source, .js from dist). */
export function runnable(file: string): string {
  const path = file.startsWith('file:') ? fileURLToPath(file) : file;
  if (fromSource) return path.replace(/\.js$/, '.ts');
  return path.replace(/\.ts$/, '.js');
}

/** Spawns chaos children and remembers them, so every one can be killed whatever happens. */
export interface Spawner {
  /** See `ScenarioContext.spawnNode`. The child gets an IPC channel; its stdout and stderr are piped. */
  spawnNode(file: string, args?: string[], env?: Record<string, string>): ChildProcess;
  /** SIGKILLs every child still running and waits (at most `ms`) for them to exit. */
  killAll(ms?: number): Promise<void>;
  /** Synchronous last resort (for `process.on('exit')`): SIGKILLs every child still running. */
  killNow(): void;
  /** The last lines a child wrote, for error reports. */
  tail(child: ChildProcess): string;
}

/**
 * @example const s = createSpawner(log); try { s.spawnNode('x.ts') } finally { await s.killAll() }
 * `verbose` forwards every child line to `log` (default: only kept for `tail`).
 */
export function createSpawner(log: (line: string) => void, verbose = false): Spawner {
  const live = new Set<ChildProcess>();
  const tails = new WeakMap<ChildProcess, string[]>();
  const keep = (child: ChildProcess, label: string, chunk: Buffer) => {
    const lines = tails.get(child) ?? [];
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (verbose) log(`  [${label}] ${line}`);
    }
    tails.set(child, lines.slice(-20));
  };
  return {
    spawnNode(file, args = [], env = {}) {
      const path = runnable(file);
      const child = spawn(process.execPath, [...execArgv, path, ...args], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...process.env, ...env },
      });
      const label = `${path.split('/').pop()} ${child.pid ?? '?'}`;
      live.add(child);
      child.once('exit', () => live.delete(child));
      // Reading both pipes keeps a chatty child from blocking on a full pipe.
      child.stdout?.on('data', (c: Buffer) => keep(child, label, c));
      child.stderr?.on('data', (c: Buffer) => keep(child, label, c));
      return child;
    },
    async killAll(ms = 5000) {
      const waits = [...live].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(resolve, ms);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            c.kill('SIGKILL');
          }),
      );
      await Promise.all(waits);
    },
    killNow() {
      for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
    tail: (child) => (tails.get(child) ?? []).join('\n'),
  };
}
