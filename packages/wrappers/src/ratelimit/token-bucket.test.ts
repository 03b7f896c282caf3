import { describe, expect, it } from 'vitest';
import { tokenBucket } from './token-bucket.js';

describe('tokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let t = 0;
    const b = tokenBucket({ rate: 10, burst: 3, now: () => t });
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    expect(b.retryAfterMs()).toBe(100);
    t = 99;
    expect(b.take()).toBe(false);
    t = 100;
    expect(b.take()).toBe(true);
    t = 10_000;
    let n = 0;
    while (b.take()) n++;
    expect(n).toBe(3);
  });
});
