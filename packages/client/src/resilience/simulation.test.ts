import { serviceUnavailable } from '@tsmicro/core';
import { memoryRegistry, type Registry, type ServiceRecord } from '@tsmicro/registry';
import { createSelector, roundRobin, type Selector } from '@tsmicro/selector';
import { afterEach, describe, expect, it } from 'vitest';
import { backoff } from './backoff.js';
import { circuitBreaker } from './circuit-breaker.js';
import { manualClock } from './clock.js';
import { retryBudget } from './retry-budget.js';
import { isRetryable } from './retryable.js';

const record: ServiceRecord = {
  name: 'svc',
  version: '1.0.0',
  metadata: {},
  endpoints: [{ name: 'Greeter.hello', metadata: {} }],
  nodes: ['n0', 'n1', 'n2'].map((id, i) => ({ id, address: `127.0.0.1:${30_000 + i}`, metadata: {} })),
};

/**
 * A client call loop as the RPC layer would write it, over scripted nodes: select, breaker permit,
 * "call", feed both, and retry on another node while the error is retryable and the budget allows.
 */
function harness(selector: Selector, failing: (id: string) => boolean) {
  const clock = manualClock();
  const breaker = circuitBreaker({ clock });
  const budget = retryBudget({ clock });
  const delay = backoff({ base: 10, cap: 200, random: () => 0.5 });
  const stats = { calls: 0, failures: 0, retries: 0, firstAttempts: new Map<string, number>() };
  const call = async (first: (id: string) => void) => {
    stats.calls++;
    budget.onCall();
    const next = await selector.select('svc');
    for (let attempt = 0; ; attempt++) {
      const sel = next();
      if (attempt === 0) first(sel.node.id);
      let error: unknown;
      try {
        const permit = breaker.acquire(`${sel.node.id} Greeter.hello`);
        error = failing(sel.node.id) ? serviceUnavailable(`${sel.node.id} is broken`) : undefined;
        permit.done({ error });
      } catch (e) {
        error = e; // the breaker refused before sending
      }
      sel.done({ error });
      if (error === undefined) return;
      // A scripted failure is a refusal (as a stopping server's): no handler ran, so even a call that is not idempotent may move.
      if (attempt >= 2 || !isRetryable(error, { idempotent: false, sent: false }) || !budget.tryRetry()) {
        stats.failures++;
        return;
      }
      stats.retries++;
      clock.advance(delay(attempt + 1));
    }
  };
  return { clock, stats, call };
}

describe('resilience simulation (3 scripted nodes)', () => {
  let registry: Registry;
  let selector: Selector;
  afterEach(async () => {
    await selector.close();
    await registry.close();
  });
  const setup = async (now: () => number) => {
    registry = memoryRegistry();
    await registry.register(record);
    selector = createSelector({ registry, strategy: roundRobin, now });
  };

  it('one node failing every call: no caller-visible failure, and it gets < 2% of first attempts once ejected', async () => {
    let clockNow = () => 0;
    await setup(() => clockNow());
    const h = harness(selector, (id) => id === 'n0');
    clockNow = () => h.clock.now();
    let badFirst = 0;
    let firstAfter = 0;
    let ejectedAt: number | undefined;
    for (let i = 0; i < 10_000; i++) {
      await h.call((id) => {
        if (ejectedAt === undefined) return;
        firstAfter++;
        if (id === 'n0') badFirst++;
      });
      // Ejection has happened once n0 has failed consecutiveFailures (5) times: from then on count.
      if (ejectedAt === undefined && h.stats.retries >= 5) ejectedAt = h.clock.now();
      h.clock.advance(10);
    }
    expect(h.stats.failures).toBe(0);
    expect(h.stats.retries).toBeGreaterThan(0);
    expect(ejectedAt).toBeDefined();
    expect(badFirst / firstAfter).toBeLessThan(0.02);
    expect(badFirst).toBeGreaterThan(0); // it was probed again after its ejection periods
  });

  it('a total outage: the retry budget keeps retries near 20% of calls', async () => {
    let clockNow = () => 0;
    await setup(() => clockNow());
    const h = harness(selector, () => true);
    clockNow = () => h.clock.now();
    for (let i = 0; i < 5000; i++) {
      await h.call(() => {});
      h.clock.advance(10);
    }
    expect(h.stats.failures).toBe(5000);
    // Unbudgeted, every call would retry twice (10,000). The budget allows ratio 0.2 of the calls
    // plus the reserve of 10 per second of elapsed time (and one window's worth at the start).
    const seconds = h.clock.now() / 1000;
    expect(h.stats.retries).toBeLessThanOrEqual(0.2 * 5000 + 10 * seconds + 100);
    expect(h.stats.retries).toBeGreaterThan(0.2 * 5000);
    expect(h.stats.retries).toBeLessThan(0.4 * 5000);
  });
});
