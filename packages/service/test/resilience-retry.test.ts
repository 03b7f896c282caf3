import { internalServerError, type MicroError, serviceUnavailable, timeout } from '@tsmicro/core';
import { leastLoaded, roundRobin } from '@tsmicro/selector';
import { describe, expect, it } from 'vitest';
import { cluster, ledgerSelector, newLedger } from './resilience-fixtures.js';

/** Runs `total` calls through `workers` concurrent loops; returns the errors callers saw. */
async function load(total: number, workers: number, call: (i: number) => Promise<unknown>): Promise<unknown[]> {
  const errors: unknown[] = [];
  let issued = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (issued < total) {
        const i = issued++;
        await call(i).catch((e: unknown) => errors.push(e));
      }
    }),
  );
  return errors;
}

describe('retries through client.call', () => {
  it('3 nodes, one failing every call with 503: 10,000 calls, no caller-visible failure, the bad node gets < 2% of first attempts after ejection', async () => {
    const hits = [0, 0, 0];
    const ledger = newLedger();
    const c = await cluster(
      3,
      (i) => ({
        Greeter: {
          async hello(req: { n: number }) {
            hits[i]!++;
            if (i === 0) throw serviceUnavailable('node 0 is broken');
            return { n: req.n, node: i };
          },
        },
      }),
      // The breaker is off so that what keeps node 0 out is the selector's outlier ejection, fed by done().
      // Idempotent: the handler's own 503 comes after it ran, so only an idempotent call may be repeated.
      // Round robin: the default (leastLoaded) already avoids node 0 after its first failure, so the
      // ejection point under test would never be reached.
      {
        client: { retries: 2, backoff: { base: 2 }, circuitBreaker: false, idempotent: ['Greeter.*'] },
        selector: { strategy: roundRobin },
        wrapSelector: (s) => ledgerSelector(s, ledger),
      },
    );
    const [rec] = await c.registry.getService('svc');
    const bad = rec!.nodes.find((n) => c.indexOf(n.address) === 0)!.id;
    const call = async (n: number) => {
      const res = await c.client.call<{ n: number; node: number }>('svc', 'Greeter.hello', { n });
      expect(res.n).toBe(n);
      expect(res.node).not.toBe(0);
    };
    try {
      // Until node 0 has failed 5 calls in a row it is ejected; sequential calls make that point exact.
      const warm = await load(30, 1, call);
      expect(warm).toEqual([]);
      expect(hits[0]).toBe(5);
      ledger.firstPicks.clear();
      const errors = await load(10_000, 32, call);
      expect(errors).toEqual([]);
      const firsts = [...ledger.firstPicks.values()].reduce((a, b) => a + b, 0);
      expect(firsts).toBe(10_000);
      expect((ledger.firstPicks.get(bad) ?? 0) / firsts).toBeLessThan(0.02);
      expect(hits[0]).toBeLessThan(5 + 200);
      // Every selection (retries included) reported back exactly once, failures as failures.
      expect(ledger.repeats).toBe(0);
      expect(ledger.dones).toBe(ledger.selections);
      expect(ledger.errors).toBe(hits[0]);
    } finally {
      await c.close();
    }
  }, 20_000);

  it('leastLoaded learns from done(): a node 20 ms slower gets a small share of the calls', async () => {
    const hits = [0, 0, 0];
    const c = await cluster(
      3,
      (i) => ({
        Greeter: {
          async hello() {
            hits[i]!++;
            if (i === 0) await new Promise((r) => setTimeout(r, 20));
            return i;
          },
        },
      }),
      { selector: { strategy: leastLoaded } },
    );
    try {
      expect(await load(600, 8, () => c.client.call('svc', 'Greeter.hello', {}))).toEqual([]);
      // Round robin would give it 200 of the 600.
      expect(hits[0]).toBeLessThan(100);
    } finally {
      await c.close();
    }
  });

  it("does not retry a non-idempotent call once it was sent (500, 408, a handler's 503), and does for idempotent ones", async () => {
    let calls = 0;
    const c = await cluster(
      2,
      () => ({
        Flaky: {
          async boom() {
            calls++;
            throw internalServerError('boom');
          },
          async slowpoke() {
            calls++;
            throw timeout('took too long downstream');
          },
          async unavailable() {
            calls++;
            throw serviceUnavailable('a downstream is unavailable');
          },
          async firstFails() {
            if (calls++ === 0) throw internalServerError('first one fails');
            return 'ok';
          },
        },
      }),
      { client: { retries: 3, backoff: () => 0, circuitBreaker: false }, selector: { outlier: false } },
    );
    try {
      const e500 = await c.client.call('svc', 'Flaky.boom', {}).catch((e: MicroError) => e);
      expect((e500 as MicroError).code).toBe(500);
      expect(calls).toBe(1);
      calls = 0;
      const e408 = await c.client.call('svc', 'Flaky.slowpoke', {}).catch((e: MicroError) => e);
      expect((e408 as MicroError).code).toBe(408);
      expect(calls).toBe(1);
      calls = 0;
      // The handler ran before it answered 503: repeating it could do its work twice.
      const e503 = await c.client.call('svc', 'Flaky.unavailable', {}).catch((e: MicroError) => e);
      expect((e503 as MicroError).code).toBe(503);
      expect(calls).toBe(1);
      calls = 0;
      await c.client.call('svc', 'Flaky.boom', {}, { idempotent: true }).catch(() => {});
      expect(calls).toBe(4); // the first attempt and its 3 retries
      calls = 0;
      expect(await c.client.call('svc', 'Flaky.firstFails', {}, { idempotent: true })).toBe('ok');
      expect(calls).toBe(2);
    } finally {
      await c.close();
    }
  });

  it('marks endpoints idempotent by client option patterns', async () => {
    let calls = 0;
    const handlers = () => ({
      Flaky: {
        async boom() {
          calls++;
          throw internalServerError('boom');
        },
      },
    });
    const c = await cluster(2, handlers, {
      client: { retries: 1, backoff: () => 0, idempotent: ['Flaky.*'], circuitBreaker: false },
      selector: { outlier: false },
    });
    try {
      await c.client.call('svc', 'Flaky.boom', {}).catch(() => {});
      expect(calls).toBe(2);
      calls = 0;
      // An explicit per-call false wins over the pattern.
      await c.client.call('svc', 'Flaky.boom', {}, { idempotent: false }).catch(() => {});
      expect(calls).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('waits the backoff before each retry, numbered from 1', async () => {
    const seen: number[] = [];
    const c = await cluster(
      3,
      () => ({
        Down: {
          async x() {
            throw serviceUnavailable('down');
          },
        },
      }),
      {
        client: {
          retries: 2,
          backoff: (n) => {
            seen.push(n);
            return 1;
          },
          circuitBreaker: false,
          retryBudget: false,
          idempotent: ['Down.*'],
        },
        selector: { outlier: false },
      },
    );
    try {
      const e = await c.client.call('svc', 'Down.x', {}).catch((x: MicroError) => x);
      expect((e as MicroError).code).toBe(503);
      expect(seen).toEqual([1, 2]);
    } finally {
      await c.close();
    }
  });

  it('the retry budget caps retries under a total outage (server-side attempts counted)', async () => {
    let attempts = 0;
    const handlers = () => ({
      Down: {
        async x() {
          attempts++;
          throw serviceUnavailable('everything is down');
        },
      },
    });
    const c = await cluster(3, handlers, {
      client: { retries: 2, backoff: () => 0, circuitBreaker: false, retryBudget: { ratio: 0.1, minPerSecond: 0 }, idempotent: ['Down.*'] },
      selector: { outlier: false },
    });
    try {
      const calls = 300;
      const errors = await load(calls, 4, () => c.client.call('svc', 'Down.x', {}));
      expect(errors).toHaveLength(calls);
      expect(errors.every((e) => (e as MicroError).code === 503)).toBe(true);
      // Unbudgeted this would be 900 attempts (each call retried twice); the budget allows 10% more than the calls.
      expect(attempts).toBeGreaterThan(calls);
      expect(attempts).toBeLessThanOrEqual(calls * 1.1 + 1);
    } finally {
      await c.close();
    }
  });
});
