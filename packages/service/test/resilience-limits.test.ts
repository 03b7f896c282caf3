import type { Context, MicroError } from '@tsmicro/core';
import { consistentHash } from '@tsmicro/selector';
import { describe, expect, it } from 'vitest';
import { until } from './fixtures.js';
import { cluster, gate, ledgerSelector, newLedger, type SelectionLedger } from './resilience-fixtures.js';

describe('bulkhead through client.call', () => {
  it('caps concurrent calls per service, queues a bounded number, refuses the rest with 429', async () => {
    const open = gate();
    let running = 0;
    let peak = 0;
    let hits = 0;
    const c = await cluster(
      1,
      () => ({
        Block: {
          async wait() {
            hits++;
            running++;
            peak = Math.max(peak, running);
            await open.promise;
            running--;
            return 'done';
          },
        },
      }),
      { client: { bulkhead: { maxConcurrent: 2, maxQueue: 1 } } },
    );
    try {
      const admitted = [0, 1, 2].map(() => c.client.call('svc', 'Block.wait', {}));
      await until(() => running === 2);
      const e = (await c.client.call('svc', 'Block.wait', {}).catch((x: unknown) => x)) as MicroError;
      expect(e.code).toBe(429);
      expect(e.detail).toContain('bulkhead of svc');
      open.open();
      expect(await Promise.all(admitted)).toEqual(['done', 'done', 'done']);
      expect(peak).toBe(2);
      expect(hits).toBe(3);
    } finally {
      open.open();
      await c.close();
    }
  });
});

describe('hedging through client.call', () => {
  /** Two nodes: whichever gets the first request holds it until cancelled; later requests answer at once. */
  async function setup(ledger?: SelectionLedger) {
    const aborted = gate<string>();
    const order: number[] = [];
    const c = await cluster(
      2,
      (i) => ({
        Greeter: {
          async get(_req: unknown, ctx: Context) {
            order.push(i);
            if (order.length === 1) {
              await new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }));
              aborted.open(String(ctx.signal.reason));
              return 'slow';
            }
            return `node ${i}`;
          },
          async quick() {
            order.push(i);
            return 'quick';
          },
        },
      }),
      { client: { idempotent: ['Greeter.*'] }, ...(ledger ? { wrapSelector: (s) => ledgerSelector(s, ledger) } : {}) },
    );
    return { c, aborted, order };
  }

  it("returns the second node's answer after the delay and cancels the slow node's handler", async () => {
    const ledger: SelectionLedger = newLedger();
    const { c, aborted, order } = await setup(ledger);
    try {
      const res = await c.client.call('svc', 'Greeter.get', {}, { hedge: { delay: 20 } });
      expect(order).toHaveLength(2);
      expect(order[0]).not.toBe(order[1]);
      expect(res).toBe(`node ${order[1]}`);
      expect(await aborted.promise).toContain('cancel');
      await until(() => ledger.dones === 2);
      expect(ledger.selections).toBe(2);
      expect(ledger.repeats).toBe(0);
    } finally {
      await c.close();
    }
  });

  it('sends no second request when the first answers within the delay', async () => {
    const { c, order } = await setup();
    try {
      expect(await c.client.call('svc', 'Greeter.quick', {}, { hedge: { delay: 5000 } })).toBe('quick');
      expect(order).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it('refuses to hedge a call that is not idempotent', async () => {
    const { c, order } = await setup();
    try {
      const e = (await c.client
        .call('svc', 'Greeter.get', {}, { hedge: { delay: 1 }, idempotent: false })
        .catch((x: unknown) => x)) as MicroError;
      expect(e.code).toBe(400);
      expect(e.detail).toContain('not idempotent');
      expect(order).toHaveLength(0);
    } finally {
      await c.close();
    }
  });
});

describe('consistent-hash key through client.call', () => {
  it('takes the key from metadata (client option) or the request (per call)', async () => {
    const c = await cluster(
      3,
      (i) => ({
        Greeter: {
          async who() {
            return i;
          },
        },
      }),
      {
        client: { hashKey: (_req, md) => md.tenant },
        selector: { strategy: consistentHash },
      },
    );
    try {
      const nodeOf = async (tenant: string) => {
        const seen = new Set<number>();
        for (let k = 0; k < 5; k++) seen.add(await c.client.call<number>('svc', 'Greeter.who', {}, { metadata: { tenant } }));
        expect(seen.size).toBe(1);
        return [...seen][0]!;
      };
      const owners = new Set<number>();
      for (let t = 0; t < 24; t++) owners.add(await nodeOf(`tenant-${t}`));
      expect(owners.size).toBeGreaterThan(1);

      const byUser = (user: string) =>
        c.client.call<number>('svc', 'Greeter.who', { user }, { hashKey: (req) => (req as { user: string }).user });
      const first = await byUser('ada');
      for (let k = 0; k < 5; k++) expect(await byUser('ada')).toBe(first);
    } finally {
      await c.close();
    }
  });
});
