import { describe, expect, it } from 'vitest';
import { backoff } from './backoff.js';

describe('backoff', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    const top = backoff({ base: 100, factor: 2, cap: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 10].map(top)).toEqual([99, 199, 399, 799, 999, 999]);
    const bottom = backoff({ random: () => 0 });
    expect(bottom(7)).toBe(0);
  });

  it('spreads delays uniformly below the ceiling', () => {
    let x = 0;
    const delay = backoff({ base: 100, random: () => (x = (x + 0.37) % 1) });
    const d = Array.from({ length: 1000 }, () => delay(1));
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d)).toBeLessThan(100);
    expect(d.reduce((a, b) => a + b, 0) / d.length).toBeGreaterThan(40);
  });
});
