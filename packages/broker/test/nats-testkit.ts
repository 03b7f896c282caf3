import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { freePort, serverProcess } from './server-process.js';

/** Stream prefix unique to one test run, so parallel runs never share JetStream state. */
export function uniquePrefix(tag: string): string {
  return `T${tag}${randomBytes(4).toString('hex').toUpperCase()}_`;
}

/** A stock NATS client, as a non-tsmicro peer would use it. */
export function stockClient(): Promise<NatsConnection> {
  return connect({ servers: '127.0.0.1:4222', name: 'tsmicro-test-stock' });
}

/** Deletes every stream whose name starts with `prefix` (and so its consumers). */
export async function deleteStreams(prefix: string): Promise<void> {
  const nc = await stockClient();
  try {
    const jsm = await nc.jetstreamManager();
    for await (const s of jsm.streams.list()) {
      if (s.config.name.startsWith(prefix)) await jsm.streams.delete(s.config.name);
    }
  } finally {
    await nc.close();
  }
}

/**
 * A private nats-server with JetStream on a free loopback port, so tests can stop and restart it
 * without disturbing the shared server other suites use. The store dir survives restarts.
 */
export async function privateNatsServer() {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tsmicro-nats-'));
  const { start, stop } = serverProcess('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], port);
  await start();
  return {
    port,
    url: `127.0.0.1:${port}`,
    start,
    stop,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
