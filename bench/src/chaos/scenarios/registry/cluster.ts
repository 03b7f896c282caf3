import { randomBytes } from 'node:crypto';
import type { WatchEvent } from '@tsmicro/registry';
import type { ScenarioContext } from '../../scenario.js';
import { pause, until } from '../broker/net.js';
import { type EtcdCluster, leaderOf, startEtcd, waitHealthy } from './etcd.js';
import { type CallLoad, callLoad } from './load.js';
import { type Owned, scenarioRegistry, startService } from './services.js';

/** One member loss: which member went, what the callers saw, and how the new node was discovered. */
export interface MemberLossFigures {
  victim: 'follower' | 'leader';
  ok: number;
  failed: number;
  /** Start attempts of the new server node that failed (registration refused or timed out); retried up to 3 times. */
  startFailures: number;
  startError: string;
  /** From the kill until the new node's start (its registration included) resolved; -1 = never. */
  registerMs: number;
  /** From the kill: a fresh getService lists the new node / the watch reports it / a call reaches it; -1 = never. */
  getServiceMs: number;
  watchMs: number;
  firstCallMs: number;
  errors: string;
}

interface Round {
  etcd: EtcdCluster;
  name: string;
  load: CallLoad;
  owned: Owned[];
  observer: ReturnType<typeof scenarioRegistry>;
  events: { at: number; e: WatchEvent }[];
  observeMs: number;
}

async function loseMember(ctx: ScenarioContext, r: Round, victimKind: 'follower' | 'leader'): Promise<MemberLossFigures> {
  const leader = await leaderOf(r.etcd);
  const victim = victimKind === 'leader' ? leader : r.etcd.members.find((m) => m !== leader && m.running);
  if (victim === undefined) throw new Error(`no etcd ${victimKind} to kill`);
  await victim.stop('SIGKILL');
  const t0 = performance.now();
  r.load.phase(victimKind);
  ctx.log(`  killed etcd member ${victim.name} (the ${victimKind}); starting a new server node`);
  const since = (t: number | undefined) => (t === undefined ? -1 : Math.round(t - t0));
  try {
    const tag = `new-${victimKind}`;
    let startFailures = 0;
    let startError = '';
    let node: Owned | undefined;
    // A supervisor would start a node again whose start failed; bounded to 3 tries.
    for (let i = 0; i < 3 && node === undefined; i++) {
      node = await startService(r.name, r.etcd.endpoints, tag).catch((e: unknown) => {
        startFailures++;
        startError = (e as Error).message;
        return undefined;
      });
    }
    const registered = node === undefined ? undefined : performance.now();
    if (node !== undefined) r.owned.push(node);
    const address = node?.svc.server.address;
    const hasIt = (nodes: { address: string }[]) => nodes.some((n) => n.address === address);
    const bound = 15_000;
    const seen =
      node &&
      (await until(
        'new node in getService',
        async () => ((await r.observer.getService(r.name).catch(() => [])).some((rec) => hasIt(rec.nodes)) ? performance.now() : undefined),
        bound,
        50,
        ctx.signal,
      ).catch(() => undefined));
    const watched =
      node &&
      (await until('new node in the watch', () => r.events.find((x) => hasIt(x.e.service.nodes))?.at, bound, 50, ctx.signal).catch(
        () => undefined,
      ));
    const called =
      node && (await until('a call reaching the new node', () => r.load.firstFrom(tag), bound, 50, ctx.signal).catch(() => undefined));
    await pause(Math.max(0, r.observeMs - (performance.now() - t0)), ctx.signal);
    const c = r.load.count(victimKind);
    return {
      victim: victimKind,
      ok: c.ok,
      failed: c.failed,
      startFailures,
      startError,
      registerMs: since(registered),
      getServiceMs: since(seen),
      watchMs: since(watched),
      firstCallMs: since(called),
      errors: c.errors.join(' | '),
    };
  } finally {
    r.load.phase('restoring');
    await victim.start();
    await waitHealthy(victim.clientUrl);
  }
}

/**
 * A 3-member private etcd cluster; every registry is given all three endpoints. Under load (c=16)
 * first a follower, then the leader is SIGKILLed; each time a new server node starts while the
 * member is down and must be discovered (getService, watch, calls reaching it). The member is
 * started again after each round.
 */
export async function clusterMemberLoss(ctx: ScenarioContext, observeMs: number): Promise<MemberLossFigures[]> {
  const etcd = await startEtcd(3);
  const name = `chaos-echo-${randomBytes(4).toString('hex')}`;
  const owned: Owned[] = [];
  const observer = scenarioRegistry(etcd.endpoints);
  const watching = new AbortController();
  const events: Round['events'] = [];
  const watchLoop = (async () => {
    for await (const e of observer.watch({ service: name, signal: watching.signal })) events.push({ at: performance.now(), e });
  })().catch(() => undefined);
  let load: CallLoad | undefined;
  try {
    owned.push(await startService(name, etcd.endpoints, 'a'), await startService(name, etcd.endpoints, 'b'));
    const caller = await startService('chaos-caller', etcd.endpoints);
    owned.push(caller);
    const l = callLoad(caller.svc.client, name, 16, 120_000);
    load = l;
    await until('calls reach both servers', () => (l.firstFrom('a') && l.firstFrom('b') ? true : undefined), 15_000, 50, ctx.signal);
    const round: Round = { etcd, name, load: l, owned, observer, events, observeMs };
    const out = [await loseMember(ctx, round, 'follower'), await loseMember(ctx, round, 'leader')];
    await l.stop();
    return out;
  } finally {
    await load?.stop();
    watching.abort();
    await Promise.allSettled(owned.map((s) => s.stop()));
    await watchLoop;
    await observer.close().catch(() => undefined);
    await etcd.destroy();
  }
}
