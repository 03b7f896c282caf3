/**
 * Chaos scenario 4, registry outage. (a) A private single etcd is stopped for 10 s (quick 4 s)
 * while a caller at c=16 keeps calling two echo servers (createService, etcdRegistry, default
 * selector over cacheRegistry): every call must succeed from the cache, and after etcd starts
 * again a fresh registry lists both nodes. (b) A private 3-member cluster, registries given all
 * three endpoints: a follower, then the leader is SIGKILLed under the same load; each time a new
 * server node starts:
 * calls keep succeeding and the new node is seen through getService, the watch, and the calls.
 * All etcd processes are our own on free loopback ports; the shared 2379 one is never touched.
 */
import type { ChaosScenario, ScenarioContext, ScenarioResult } from '../scenario.js';
import { clusterMemberLoss } from './registry/cluster.js';
import { registryOutage } from './registry/outage.js';

const TARGET =
  '0 caller-visible failures while etcd is down and after it returns; both nodes listed again; ' +
  'with 1 of 3 members killed (a follower, then the leader): 0 failures, a new node registers and is seen via getService, watch and calls';

async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const outageMs = ctx.quick ? 4000 : 10_000;
  const figures: Record<string, string | number> = {};
  const failures: string[] = [];
  try {
    ctx.log(`registry outage: etcd down for ${outageMs} ms under c=16`);
    const o = await registryOutage(ctx, outageMs);
    ctx.log(
      `registry outage: calls ok/failed before ${o.beforeOk}/${o.beforeFailed}, during ${o.outageOk}/${o.outageFailed} ` +
        `(${o.outageMs} ms), after ${o.afterOk}/${o.afterFailed}; ${o.nodesAfter} nodes listed ${o.registrationsBackMs} ms after etcd was healthy` +
        (o.errors ? `; errors: ${o.errors}` : ''),
    );
    figures['outage ms'] = o.outageMs;
    figures['outage calls ok'] = o.outageOk;
    figures['outage calls failed'] = o.outageFailed;
    figures['after calls ok'] = o.afterOk;
    figures['after calls failed'] = o.afterFailed;
    figures['nodes listed after restart'] = o.nodesAfter;
    figures['registrations back ms'] = o.registrationsBackMs;
    if (o.outageFailed + o.afterFailed + o.beforeFailed > 0)
      failures.push(`single etcd: ${o.outageFailed + o.afterFailed + o.beforeFailed} failed calls (${o.errors})`);
    if (o.outageOk === 0) failures.push('single etcd: no call succeeded during the outage');
    if (o.nodesAfter < 2) failures.push(`single etcd: ${o.nodesAfter}/2 nodes listed after the restart`);

    if (ctx.signal.aborted) throw new Error('aborted');
    ctx.log('registry outage: 3-member cluster, a follower then the leader killed under c=16');
    for (const c of await clusterMemberLoss(ctx, ctx.quick ? 3000 : 5000)) {
      ctx.log(
        `registry outage: cluster with the ${c.victim} down: calls ok/failed ${c.ok}/${c.failed}; new node: ${c.startFailures} failed starts, ` +
          `registered at ${c.registerMs} ms, in getService at ${c.getServiceMs} ms, in the watch at ${c.watchMs} ms, ` +
          `first call at ${c.firstCallMs} ms after the kill` +
          (c.startError ? `; start error: ${c.startError}` : '') +
          (c.errors ? `; call errors: ${c.errors}` : ''),
      );
      const k = `${c.victim} down`;
      figures[`${k} calls ok`] = c.ok;
      figures[`${k} calls failed`] = c.failed;
      figures[`${k} new node failed starts`] = c.startFailures;
      figures[`${k} new node registered ms`] = c.registerMs;
      figures[`${k} new node getService ms`] = c.getServiceMs;
      figures[`${k} new node watch ms`] = c.watchMs;
      figures[`${k} new node first call ms`] = c.firstCallMs;
      if (c.failed > 0) failures.push(`cluster, ${k}: ${c.failed} failed calls (${c.errors})`);
      if (c.startFailures > 0) failures.push(`cluster, ${k}: the new node failed to start ${c.startFailures}× (${c.startError})`);
      if (c.getServiceMs < 0 || c.watchMs < 0 || c.firstCallMs < 0) failures.push(`cluster, ${k}: the new node was not discovered`);
    }
  } catch (e) {
    failures.push(`error: ${(e as Error).message}`);
  }
  return {
    name: scenario.name,
    pass: failures.length === 0,
    target: TARGET,
    figures,
    ...(failures.length > 0 ? { notes: failures.join('; ') } : {}),
  };
}

export const scenario: ChaosScenario = { name: 'registry-outage', budgetSeconds: 75, run };
