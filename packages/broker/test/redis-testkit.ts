import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort, serverProcess } from './server-process.js';

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
  const port = await freePort();
  const { start, stop } = serverProcess(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    port,
  );
  await start();
  return { port, start, stop, destroy: stop };
}
