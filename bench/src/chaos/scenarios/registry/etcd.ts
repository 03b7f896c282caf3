import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type OwnedProcess, ownedProcess, pause, until, waitPort } from '../broker/net.js';

/** One etcd member process we own, on free loopback ports, restartable with its data. */
export interface EtcdMember extends OwnedProcess {
  readonly name: string;
  readonly clientUrl: string;
}

/** Private etcd processes (never the shared 127.0.0.1:2379 one, which other suites use). */
export interface EtcdCluster {
  readonly members: EtcdMember[];
  readonly endpoints: string[];
  /** Stops every member and removes the data. */
  destroy(): Promise<void>;
}

/** True when `url/health` answers healthy within a second. */
export async function isHealthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    return ((await res.json()) as { health?: unknown }).health === 'true';
  } catch {
    return false;
  }
}

export function waitHealthy(url: string, timeoutMs = 20_000): Promise<true> {
  return until(`etcd at ${url} healthy`, async () => ((await isHealthy(url)) ? true : undefined), timeoutMs, 100);
}

/** The member that currently leads, asked through etcd's JSON gateway; undefined when none answers. */
export async function leaderOf(c: EtcdCluster): Promise<EtcdMember | undefined> {
  for (const m of c.members) {
    if (!m.running) continue;
    try {
      const res = await fetch(`${m.clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
      const s = (await res.json()) as { header?: { member_id?: string }; leader?: string };
      if (s.leader !== undefined && s.header?.member_id === s.leader) return m;
    } catch {
      // not answering: ask the next one
    }
  }
  return undefined;
}

/** Starts `size` etcd members forming one cluster on loopback and waits until every one is healthy. */
export async function startEtcd(size: number): Promise<EtcdCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tsmicro-chaos-etcd-'));
  const ports: { client: number; peer: number }[] = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const initialCluster = ports.map((p, i) => `c${i}=http://127.0.0.1:${p.peer}`).join(',');
  const token = `tsmicro-chaos-${process.pid}-${ports[0]?.client ?? 0}`;
  const members = ports.map(({ client, peer }, i): EtcdMember => {
    const name = `c${i}`;
    const clientUrl = `http://127.0.0.1:${client}`;
    const proc = ownedProcess(
      'etcd',
      [
        ...['--name', name, '--data-dir', join(dir, name), '--log-level', 'error'],
        ...['--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl],
        ...['--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`],
        ...['--initial-cluster', initialCluster, '--initial-cluster-token', token],
        // With a data dir (a restart) etcd ignores the initial-cluster flags.
        ...['--initial-cluster-state', 'new'],
      ],
      () => waitPort(client, true),
    );
    return {
      name,
      clientUrl,
      get running() {
        return proc.running;
      },
      start: () => proc.start(),
      stop: (signal) => proc.stop(signal),
    };
  });
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    async destroy() {
      await Promise.allSettled(members.map((m) => m.stop('SIGKILL')));
      await pause(50);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(members.map((m) => m.start()));
    await Promise.all(members.map((m) => waitHealthy(m.clientUrl)));
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}
