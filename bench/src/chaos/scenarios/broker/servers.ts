import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type OwnedProcess, ownedProcess, waitPort } from './net.js';

/** A private broker server on a free loopback port whose data dir survives restarts. */
export interface PrivateServer extends OwnedProcess {
  readonly kind: 'nats' | 'redis';
  readonly port: number;
  /** Stops the process and removes the data dir. */
  destroy(): Promise<void>;
}

async function privateServer(kind: 'nats' | 'redis', argsFor: (port: number, dir: string) => [string, string[]]): Promise<PrivateServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), `tsmicro-chaos-${kind}-`));
  const [command, args] = argsFor(port, dir);
  const proc = ownedProcess(command, args, () => waitPort(port, true));
  try {
    await proc.start();
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    kind,
    port,
    get running() {
      return proc.running;
    },
    start: () => proc.start(),
    stop: (signal) => proc.stop(signal),
    async destroy() {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// Debian installs it in /usr/sbin, which is not on every PATH.
const natsServerBin = () => (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

/** nats-server with JetStream storing in a temp dir (never the shared 4222 server). */
export function privateNats(): Promise<PrivateServer> {
  return privateServer('nats', (port, dir) => [natsServerBin(), ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir]]);
}

/**
 * redis-server with an append-only file in a temp dir, so streams, groups and pending entries
 * survive a restart (never the shared 6379 server, which has no persistence).
 */
export function privateRedis(): Promise<PrivateServer> {
  return privateServer('redis', (port, dir) => [
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
  ]);
}
