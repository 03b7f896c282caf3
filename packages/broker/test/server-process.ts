import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, reachable } from '@tsmicro/core/testing';

export { freePort };

/** Polls until `port` accepts (or refuses, with `up=false`) connections; bounded. */
export async function waitPort(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await reachable(port, '127.0.0.1', 200)) !== up) {
    if (Date.now() > end) throw new Error(`port ${port} not ${up ? 'up' : 'down'} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A server process on `port` that tests can crash (SIGKILL) and start again, so a restart test never
 * disturbs the shared servers other suites use. `start` waits until the port answers.
 */
export function serverProcess(command: string, args: readonly string[], port: number) {
  let proc: ChildProcess | undefined;
  return {
    async start(): Promise<void> {
      proc = spawn(command, args, { stdio: 'ignore' });
      await waitPort(port, true);
    },
    async stop(): Promise<void> {
      const p = proc;
      proc = undefined;
      if (p === undefined || p.exitCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await exited;
    },
  };
}
