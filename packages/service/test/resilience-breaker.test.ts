import { circuitBreaker, manualClock } from '@tsmicro/client/resilience';
import { internalServerError, type MicroError } from '@tsmicro/core';
import { isNodeFailure, roundRobin } from '@tsmicro/selector';
import { describe, expect, it } from 'vitest';
import { cluster } from './resilience-fixtures.js';

/** Two nodes; node 0 throws a 500 while `broken.on`. Outlier ejection is off so only the breaker acts. */
async function setup() {
  const clock = manualClock();
  const breaker = circuitBreaker({ consecutiveFailures: 3, openFor: 1000, clock, isFailure: isNodeFailure });
  const hits = [0, 0];
  const broken = { on: true };
  const c = await cluster(
    2,
    (i) => ({
      Greeter: {
        async hello() {
          hits[i]!++;
          if (i === 0 && broken.on) throw internalServerError('node 0 is broken');
          return i;
        },
      },
    }),
    { client: { retries: 0, circuitBreaker: breaker }, selector: { outlier: false, strategy: roundRobin } },
  );
  const [rec] = await c.registry.getService('svc');
  const node0 = rec!.nodes.find((n) => c.indexOf(n.address) === 0)!;
  return { c, clock, breaker, hits, broken, key: `${node0.id} Greeter.hello`, address0: node0.address };
}

describe('circuit breaker through client.call', () => {
  it('opens after consecutive failures (calls skip the node), half-opens after openFor, closes on a good trial', async () => {
    const { c, clock, breaker, hits, broken, key } = await setup();
    try {
      let failures = 0;
      for (let i = 0; i < 8; i++) await c.client.call('svc', 'Greeter.hello', {}).catch(() => failures++);
      expect(failures).toBe(3);
      expect(hits[0]).toBe(3);
      expect(breaker.state(key)).toBe('open');

      // Open: node 0 is skipped without spending a retry (retries is 0) and nobody sees an error.
      for (let i = 0; i < 10; i++) expect(await c.client.call('svc', 'Greeter.hello', {})).toBe(1);
      expect(hits[0]).toBe(3);

      clock.advance(1000);
      expect(breaker.state(key)).toBe('half-open');
      broken.on = false;
      // Round robin reaches node 0 within two calls: that call is the trial.
      for (let i = 0; i < 2; i++) await c.client.call('svc', 'Greeter.hello', {});
      expect(hits[0]).toBe(4);
      expect(breaker.state(key)).toBe('closed');
      for (let i = 0; i < 4; i++) await c.client.call('svc', 'Greeter.hello', {});
      expect(hits[0]).toBe(6);
    } finally {
      await c.close();
    }
  });

  it('a failed trial opens the circuit again', async () => {
    const { c, clock, breaker, hits, key } = await setup();
    try {
      for (let i = 0; i < 6; i++) await c.client.call('svc', 'Greeter.hello', {}).catch(() => {});
      expect(breaker.state(key)).toBe('open');
      clock.advance(1000);
      for (let i = 0; i < 2; i++) await c.client.call('svc', 'Greeter.hello', {}).catch(() => {});
      expect(hits[0]).toBe(4);
      expect(breaker.state(key)).toBe('open');
    } finally {
      await c.close();
    }
  });

  it('with no other node, an open circuit surfaces as a 503 naming the reason', async () => {
    const { c, hits, address0 } = await setup();
    try {
      for (let i = 0; i < 3; i++) {
        const e = await c.client.call('svc', 'Greeter.hello', {}, { address: address0 }).catch((x: MicroError) => x);
        expect((e as MicroError).code).toBe(500);
      }
      const e = (await c.client.call('svc', 'Greeter.hello', {}, { address: address0 }).catch((x: unknown) => x)) as MicroError;
      expect(e.code).toBe(503);
      expect(e.detail).toContain('circuit open');
      expect(e.detail).toContain('3 consecutive failures');
      expect(hits[0]).toBe(3);
    } finally {
      await c.close();
    }
  });
});
