/**
 * Chaos scenario: a long registry outage under default settings (issue 14 §4). A private single etcd
 * is stopped for 90 s (env `TSMICRO_OUTAGE_MS` overrides; `--quick`: 20 s), longer than the client
 * cache's 60 s ttl, while a caller keeps calling two echo servers at c=8 with 2 s timeouts. Expired
 * cache entries must be answered from the stale records at once and refreshed in the background.
 */
import { type ChaosScenario, type ScenarioContext, type ScenarioResult, scenarioResult } from '../scenario.js';
import { outageMsFromEnv, staleOutage } from './registry/stale.js';

const TARGET =
  'etcd down 90 s with default settings: 0 failed calls during and after; every lookup as a call by name makes it (peek) under 5 ms and answered; awaited lookups p99 under 5 ms and none waiting on the dead backend (>= 1 s)';
/** Ms a lookup from the cache may take (the bound), at p99: the max also holds event-loop stalls of the in-process load. */
const LOOKUP_BOUND_MS = 5;
/** A lookup this slow waited on etcd (its client waits up to 5 s for a connection) instead of answering from the cache. */
const BACKEND_WAIT_MS = 1000;

async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const outageMs = outageMsFromEnv(ctx.quick ? 20_000 : 90_000);
  const failures: string[] = [];
  const figures: Record<string, string | number> = {};
  try {
    ctx.log(`registry long outage: etcd down for ${outageMs} ms, default settings, c=8`);
    const f = await staleOutage(outageMs, ctx.log, ctx.signal);
    ctx.log(
      `registry long outage: calls ok/failed during ${f.outageOk}/${f.outageFailed} (${f.outageMs} ms), after ${f.afterOk}/${f.afterFailed}; ` +
        `${f.lookups} lookups, p99 ${f.lookupP99Ms} ms, max ${f.lookupMaxMs} ms, ${f.lookupsOver5Ms} at 5 ms or more (awaited); ` +
        `peek max ${f.peekMaxMs} ms, ${f.peekMisses} unanswered` +
        (f.errors ? `; errors: ${f.errors}` : ''),
    );
    Object.assign(figures, {
      'outage ms': f.outageMs,
      'outage calls ok': f.outageOk,
      'outage calls failed': f.outageFailed,
      'after calls ok': f.afterOk,
      'after calls failed': f.afterFailed,
      lookups: f.lookups,
      'lookup p99 ms': f.lookupP99Ms,
      'lookup max ms': f.lookupMaxMs,
      'lookups >= 5 ms': f.lookupsOver5Ms,
      'peek max ms': f.peekMaxMs,
      'peek unanswered': f.peekMisses,
    });
    if (f.outageFailed + f.afterFailed > 0) failures.push(`${f.outageFailed + f.afterFailed} failed calls (${f.errors})`);
    if (f.outageOk === 0) failures.push('no call succeeded during the outage');
    if (f.lookupP99Ms >= LOOKUP_BOUND_MS) failures.push(`lookup p99 ${f.lookupP99Ms} ms (bound ${LOOKUP_BOUND_MS} ms)`);
    if (f.peekMaxMs >= LOOKUP_BOUND_MS) failures.push(`a lookup (peek) took ${f.peekMaxMs} ms (bound ${LOOKUP_BOUND_MS} ms)`);
    if (f.peekMisses > 0) failures.push(`${f.peekMisses} lookups (peek) found no nodes during the outage`);
    if (f.lookupMaxMs >= BACKEND_WAIT_MS) failures.push(`a lookup took ${f.lookupMaxMs} ms: it waited on the dead backend`);
  } catch (e) {
    failures.push(`error: ${(e as Error).message}`);
  }
  return scenarioResult(scenario.name, TARGET, figures, failures);
}

export const scenario: ChaosScenario = { name: 'registry-long-outage', budgetSeconds: 150, run };
