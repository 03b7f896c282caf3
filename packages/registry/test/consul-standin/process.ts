import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The Consul stand-in in a child process (`node --conditions=source --import tsx`), for tests. */
export interface StandinProcess {
  readonly address: string;
  stop(): Promise<void>;
}

export async function spawnConsulStandin(timeoutMs = 15_000): Promise<StandinProcess> {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  let timer: NodeJS.Timeout | undefined;
  try {
    const address = await new Promise<string>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`consul stand-in did not start within ${timeoutMs} ms`)), timeoutMs);
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`consul stand-in exited with ${code}`)));
    });
    return {
      address,
      async stop() {
        if (child.exitCode !== null) return;
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
        lines.close();
      },
    };
  } catch (e) {
    child.kill('SIGKILL');
    lines.close();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
