import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Key prefix unique to one test run, so parallel runs never share streams or the pattern set. */
export function uniqueKeyPrefix(tag: string): string {
  return `tsmicro-test:${tag}:${randomBytes(4).toString('hex')}:`;
}

/** A plain ioredis client, as a non-tsmicro peer would use it. */
export function rawClient(): Redis {
  return new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(prefix: string): Promise<void> {
  const r = rawClient();
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/**
 * A private redis-server on a free loopback port (no persistence, like the shared one), so tests
 * can stop and restart it without disturbing other suites.
 */
export async function privateRedisServer() {
  const { spawn } = await import('node:child_process');
  const { freePort, waitPort } = await import('../nats/testkit.js');
  const port = await freePort();
  let proc: ReturnType<typeof spawn> | undefined;
  const start = async () => {
    proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitPort(port, true);
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (p === undefined || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return { port, start, stop, destroy: stop };
}
