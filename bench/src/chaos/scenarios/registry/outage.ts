import { randomBytes } from 'node:crypto';
import type { ScenarioContext } from '../../scenario.js';
import { pause, until } from '../broker/net.js';
import { startEtcd, waitHealthy } from './etcd.js';
import { callLoad } from './load.js';
import { type Owned, scenarioRegistry, startService } from './services.js';

export interface OutageFigures {
  beforeOk: number;
  beforeFailed: number;
  outageOk: number;
  outageFailed: number;
  afterOk: number;
  afterFailed: number;
  outageMs: number;
  /** From etcd answering healthy again until a fresh registry lists both server nodes. */
  registrationsBackMs: number;
  nodesAfter: number;
  errors: string;
}

/**
 * A single private etcd; two echo servers and a caller (c=16) on it. etcd is stopped for `outageMs`
 * while the calls go on from the selector's cache, then started again on the same data.
 */
export async function registryOutage(ctx: ScenarioContext, outageMs: number): Promise<OutageFigures> {
  const etcd = await startEtcd(1);
  const [member] = etcd.members;
  if (member === undefined) throw new Error('no etcd member');
  const name = `chaos-echo-${randomBytes(4).toString('hex')}`;
  const owned: Owned[] = [];
  const observer = scenarioRegistry(etcd.endpoints);
  try {
    owned.push(await startService(name, etcd.endpoints, 'a'), await startService(name, etcd.endpoints, 'b'));
    const caller = await startService('chaos-caller', etcd.endpoints);
    owned.push(caller);
    const load = callLoad(caller.svc.client, name, 16, 120_000);
    try {
      await until(
        'calls reach both servers',
        () => (load.firstFrom('a') && load.firstFrom('b') ? true : undefined),
        15_000,
        50,
        ctx.signal,
      );
      load.phase('before');
      await pause(1000, ctx.signal);

      await member.stop('SIGTERM');
      ctx.log(`  etcd stopped; calling from the cache for ${outageMs} ms`);
      load.phase('outage');
      const down = performance.now();
      await pause(outageMs, ctx.signal);
      await member.start();
      await waitHealthy(member.clientUrl);
      const up = performance.now();
      load.phase('after');
      const nodes = await until(
        'both server nodes listed after the restart',
        async () => {
          const recs = await observer.getService(name).catch(() => []);
          const n = recs.reduce((sum, r) => sum + r.nodes.length, 0);
          return n >= 2 ? n : undefined;
        },
        20_000,
        100,
        ctx.signal,
      ).catch(() => 0);
      const registrationsBackMs = Math.round(performance.now() - up);
      await pause(1000, ctx.signal);
      await load.stop();
      const [b, o, a] = [load.count('before'), load.count('outage'), load.count('after')];
      return {
        beforeOk: b.ok,
        beforeFailed: b.failed,
        outageOk: o.ok,
        outageFailed: o.failed,
        afterOk: a.ok,
        afterFailed: a.failed,
        outageMs: Math.round(up - down),
        registrationsBackMs,
        nodesAfter: nodes,
        errors: [...b.errors, ...o.errors, ...a.errors].join(' | '),
      };
    } finally {
      await load.stop();
    }
  } finally {
    await Promise.allSettled(owned.map((s) => s.stop()));
    await observer.close().catch(() => undefined);
    await etcd.destroy();
  }
}
