import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';

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

/** A free loopback TCP port (bound to 0, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls until `port` accepts (or refuses, with `up=false`) connections; bounded. */
export async function waitPort(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const { reachable } = await import('@tsmicro/core/testing');
  const end = Date.now() + timeoutMs;
  while ((await reachable(port, '127.0.0.1', 200)) !== up) {
    if (Date.now() > end) throw new Error(`port ${port} not ${up ? 'up' : 'down'} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A private nats-server with JetStream on a free loopback port, so tests can stop and restart it
 * without disturbing the shared server other suites use. The store dir survives restarts.
 */
export async function privateNatsServer() {
  const { spawn } = await import('node:child_process');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tsmicro-nats-'));
  let proc: ReturnType<typeof spawn> | undefined;
  const start = async () => {
    proc = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
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
