import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tsmicro/core/testing';

/**
 * Test support (not part of the registry API): etcd processes the tests own, on free loopback ports,
 * so a test can stop and start them without disturbing the shared etcd on 2379.
 */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly running: boolean;
  /** Starts the process (again) on the same ports; waits until it serves requests. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>;
  /** Removes the member's data (only while stopped): the next start is a fresh etcd. */
  wipe(): Promise<void>;
}

export interface EtcdCluster {
  readonly members: EtcdMember[];
  readonly endpoints: string[];
  /** Stops every member and removes the data. */
  destroy(): Promise<void>;
}

async function healthy(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`etcd at ${url} not healthy within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `size` etcd members forming one cluster on loopback and waits until the cluster is healthy. */
export async function startEtcdCluster(size: number): Promise<EtcdCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tsmicro-etcd-test-'));
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), peer: await freePort() })));
  const initialCluster = ports.map((p, i) => `m${i}=http://127.0.0.1:${p.peer}`).join(',');
  const members = ports.map(({ client, peer }, i): EtcdMember => {
    const name = `m${i}`;
    const clientUrl = `http://127.0.0.1:${client}`;
    const dataDir = join(dir, name);
    let proc: ChildProcess | undefined;
    let everStarted = false;
    return {
      name,
      clientUrl,
      get running() {
        return proc !== undefined;
      },
      async start() {
        if (proc) return;
        const args = [
          ...['--name', name, '--data-dir', dataDir, '--log-level', 'error'],
          ...['--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl],
          ...['--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`],
          ...['--initial-cluster', initialCluster, '--initial-cluster-token', `tsmicro-${process.pid}`],
          ...['--initial-cluster-state', everStarted && size > 1 ? 'existing' : 'new'],
        ];
        everStarted = true;
        const p = spawn('etcd', args, { stdio: 'ignore' });
        proc = p;
        p.once('exit', () => {
          if (proc === p) proc = undefined;
        });
        // a lone member is healthy by itself; cluster members wait for each other (see startEtcdCluster)
        if (size === 1) await healthy(clientUrl, 15_000);
      },
      async stop() {
        const p = proc;
        if (!p || p.exitCode !== null) return;
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        const t = setTimeout(() => p.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(t);
      },
      async wipe() {
        if (proc) throw new Error(`stop ${name} before wiping it`);
        await rm(dataDir, { recursive: true, force: true });
        everStarted = false;
      },
    };
  });
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    async destroy() {
      await Promise.all(members.map((m) => m.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(members.map((m) => m.start()));
    await Promise.all(members.map((m) => healthy(m.clientUrl, 20_000)));
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}

/** Waits until a (restarted) member answers healthy. */
export function waitHealthy(m: EtcdMember, timeoutMs = 20_000): Promise<void> {
  return healthy(m.clientUrl, timeoutMs);
}
