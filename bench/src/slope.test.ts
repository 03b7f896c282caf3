import { describe, expect, it } from 'vitest';
import { slopePer10s } from './slope.js';

describe('slopePer10s', () => {
  it('is zero for a flat series and for too few samples', () => {
    expect(slopePer10s([100, 100, 100, 100], 5000)).toBe(0);
    expect(slopePer10s([100], 5000)).toBe(0);
  });

  it('gives percent of the first sample per 10 s', () => {
    // +1 per 5 s sample from 100: +2 per 10 s = 2 %.
    expect(slopePer10s([100, 101, 102, 103, 104], 5000)).toBeCloseTo(2, 6);
  });

  it('is not moved much by one high last sample (a GC landing late), unlike last − first', () => {
    const s = [100, 100, 100, 100, 100, 100, 100, 100, 104];
    expect(slopePer10s(s, 5000)).toBeLessThan(((104 - 100) / 100) * 100);
  });
});
