import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, MicroError } from '@tsmicro/core';
import { roundRobin } from '@tsmicro/selector';
import { expect, it } from 'vitest';
import { cluster } from './resilience-fixtures.js';

it('attemptTimeout moves an idempotent call off a slow node within the deadline, and leaves other calls alone', async () => {
  const c = await cluster(
    2,
    (i) => ({
      Slow: {
        async get(_req: unknown, ctx: Context) {
          // Node 0 is slow (but alive: it answers pings); node 1 answers at once.
          if (i === 0) await sleep(3000, undefined, { signal: ctx.signal }).catch(() => {});
          return i;
        },
      },
    }),
    { client: { attemptTimeout: 150, circuitBreaker: false, backoff: () => 0 }, selector: { outlier: false, strategy: roundRobin } },
  );
  try {
    for (let n = 0; n < 4; n++) {
      const t0 = Date.now();
      // Round robin sends every other first attempt to the slow node: it is abandoned after 150 ms.
      expect(await c.client.call('svc', 'Slow.get', {}, { idempotent: true, timeout: 2000 })).toBe(1);
      expect(Date.now() - t0).toBeLessThan(1500);
    }
    // Not idempotent: no attempt timeout (cutting it short would only fail it early); the call's deadline rules.
    const results = await Promise.all(
      [0, 1].map(() => c.client.call('svc', 'Slow.get', {}, { timeout: 400 }).catch((e: MicroError) => e.code)),
    );
    expect(results.sort()).toEqual([1, 408]);
  } finally {
    await c.close();
  }
});
