import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gatewayTimeout, internalServerError } from '@tsmicro/core';

/** A server process of the skewed-nodes bench. */
export interface NodeProcess {
  readonly label: string;
  readonly address: string;
  stop(): Promise<void>;
}

// Built files run as they are; from source (tsx, vitest) the child needs the same loader.
const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
const execArgv = fromSource ? ['--conditions=source', '--import', 'tsx'] : [];

/** The path of the sibling module `name` (no extension) as this file runs it: `.ts` from source, `.js` built. */
export function entryOf(name: string, base: string | URL = import.meta.url): string {
  return fileURLToPath(new URL(`${name}${fromSource ? '.ts' : '.js'}`, base));
}

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

/** Spawns one node serving `Bench.echo` after `delayMs`; resolves with its address (bounded by `startMs`). */
export function spawnNode(label: string, delayMs: number, startMs = 20_000): Promise<NodeProcess> {
  return spawnServer(entryOf('./slow-server'), [label, String(delayMs)], label, startMs);
}

/**
 * Spawns the server process `entry` with `args`; it prints `{"address":…}` on one stdout line once
 * listening and stops on SIGTERM. Resolves with that address (bounded by `startMs`).
 */
export async function spawnServer(entry: string, args: readonly string[], label: string, startMs = 20_000): Promise<NodeProcess> {
  const proc = spawn(process.execPath, [...execArgv, entry, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const done = exited(proc);
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(t);
  };
  try {
    const address = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: proc.stdout! });
      const t = setTimeout(() => reject(gatewayTimeout(`bench node ${label} did not start within ${startMs} ms`)), startMs);
      lines.once('line', (line) => {
        clearTimeout(t);
        lines.close();
        resolve((JSON.parse(line) as { address: string }).address);
      });
      proc.once('exit', (code) => {
        clearTimeout(t);
        reject(internalServerError(`bench node ${label} exited (code ${code}) before listening`));
      });
    });
    return { label, address, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
