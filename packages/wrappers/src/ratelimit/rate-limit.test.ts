import type { MicroError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { rejection, startPair } from '../../test/fixture.js';
import { rateLimit } from './rate-limit.js';

describe('rateLimit() over a real client and server', () => {
  it('refuses with 429 and a retry-after once an endpoint bucket is empty; other endpoints keep their own', async () => {
    let now = 0;
    let ran = 0;
    const p = await startPair({
      handlers: { G: { a: async () => ++ran, b: async () => ++ran } },
      server: { wrappers: { handler: [rateLimit({ rate: 10, burst: 2, now: () => now })] } },
    });
    try {
      await p.client.call('greeter', 'G.a', {});
      await p.client.call('greeter', 'G.a', {});
      const e = (await rejection(p.client.call('greeter', 'G.a', {}))) as MicroError;
      expect(e.code).toBe(429);
      expect(e.detail).toBe('G.a is rate limited to 10/s (burst 2): retry after 100 ms');
      expect(ran).toBe(2);
      await p.client.call('greeter', 'G.b', {});
      now = 100;
      // The client honours the retry-after in real time: G.a on that node rests 100 ms (G.b did not).
      await expect(p.client.call('greeter', 'G.a', {})).rejects.toMatchObject({
        code: 429,
        detail: expect.stringContaining('asked callers to wait'),
      });
      expect(ran).toBe(3);
      await new Promise((r) => setTimeout(r, 110));
      await p.client.call('greeter', 'G.a', {});
      expect(ran).toBe(4);
    } finally {
      await p.close();
    }
  });

  it("shares one bucket across endpoints with per: 'service', and rejects a bad rate at once", async () => {
    const now = 0;
    const p = await startPair({
      handlers: { G: { a: async () => 1, b: async () => 2 } },
      server: { wrappers: { handler: [rateLimit({ rate: 1, per: 'service', now: () => now })] } },
    });
    try {
      await p.client.call('greeter', 'G.a', {});
      const e = (await rejection(p.client.call('greeter', 'G.b', {}))) as MicroError;
      expect(e.code).toBe(429);
      expect(e.detail).toMatch(/^greeter is rate limited/);
    } finally {
      await p.close();
    }
    expect(() => rateLimit({ rate: 0 })).toThrow(/rate must be > 0/);
  });
});
