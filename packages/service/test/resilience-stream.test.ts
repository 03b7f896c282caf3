import { type MicroError, serviceUnavailable } from '@tsmicro/core';
import type { ServiceRecord } from '@tsmicro/registry';
import { roundRobin } from '@tsmicro/selector';
import { bidiStream, serverStream } from '@tsmicro/server';
import { describe, expect, it } from 'vitest';
import { cluster, ledgerSelector, newLedger, type SelectionLedger } from './resilience-fixtures.js';

const deadNode: ServiceRecord = {
  name: 'svc',
  version: 'latest',
  metadata: {},
  endpoints: [],
  nodes: [{ id: 'dead', address: 'memory:nobody-here', metadata: {} }],
};

describe('retries through client.stream', () => {
  it('retries on another node before the first message (the node cannot be reached)', async () => {
    const ledger: SelectionLedger = newLedger();
    const c = await cluster(
      1,
      () => ({
        S: {
          echo: bidiStream(async function* (reqs: AsyncIterable<string>) {
            for await (const r of reqs) yield r.toUpperCase();
          }),
        },
      }),
      {
        client: { retries: 1, backoff: () => 0, circuitBreaker: false },
        selector: { outlier: false, strategy: roundRobin },
        wrapSelector: (s) => ledgerSelector(s, ledger),
      },
    );
    await c.registry.register(deadNode);
    try {
      for (let i = 0; i < 6; i++) {
        const s = await c.client.stream<string, string>('svc', 'S.echo');
        await s.send(`m${i}`);
        await s.closeSend();
        const out: string[] = [];
        for await (const v of s) out.push(v);
        expect(out).toEqual([`M${i}`]);
      }
      // Round robin put about half of the opens on the dead node first; each was retried.
      expect(ledger.errors).toBeGreaterThanOrEqual(2);
      expect(ledger.dones).toBe(ledger.selections);
      expect(ledger.repeats).toBe(0);
    } finally {
      await c.close();
    }
  });

  it('skips a node whose circuit is open when opening a stream', async () => {
    const c = await cluster(
      1,
      () => ({
        S: {
          count: serverStream(async function* (req: { n: number }) {
            for (let i = 0; i < req.n; i++) yield i;
          }),
        },
      }),
      { client: { retries: 0, circuitBreaker: { consecutiveFailures: 1 } }, selector: { outlier: false } },
    );
    await c.registry.register(deadNode);
    try {
      let failures = 0;
      for (let i = 0; i < 6; i++) {
        try {
          const s = await c.client.stream<{ n: number }, number>('svc', 'S.count');
          await s.send({ n: 2 });
          await s.closeSend();
          const out: number[] = [];
          for await (const v of s) out.push(v);
          expect(out).toEqual([0, 1]);
        } catch (e) {
          expect((e as MicroError).code).toBe(503);
          failures++;
        }
      }
      // retries is 0: only the first open that landed on the dead node failed; then its circuit was open.
      expect(failures).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('does not retry once messages flowed: a failure mid-stream reaches the caller', async () => {
    let invocations = 0;
    const c = await cluster(
      2,
      () => ({
        S: {
          flaky: serverStream(async function* () {
            invocations++;
            yield 'first';
            throw serviceUnavailable('node went away mid-stream');
          }),
        },
      }),
      { client: { retries: 3, idempotent: ['*'], backoff: () => 0 } },
    );
    try {
      const s = await c.client.stream<unknown, string>('svc', 'S.flaky');
      await s.send({});
      await s.closeSend();
      const out: string[] = [];
      const e = await (async () => {
        for await (const v of s) out.push(v);
      })().catch((x: unknown) => x as MicroError);
      expect(out).toEqual(['first']);
      expect((e as MicroError).code).toBe(503);
      expect(invocations).toBe(1);
    } finally {
      await c.close();
    }
  });
});
