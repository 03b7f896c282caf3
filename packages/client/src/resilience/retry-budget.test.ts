import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.js';
import { retryBudget } from './retry-budget.js';

describe('retryBudget', () => {
  it('allows the per-second reserve without traffic, then refuses', () => {
    const clock = manualClock();
    const b = retryBudget({ ratio: 0.1, minPerSecond: 2, window: 10_000, clock });
    let ok = 0;
    for (let i = 0; i < 100; i++) if (b.tryRetry()) ok++;
    expect(ok).toBe(20);
  });

  it('caps retries at ratio × calls under a total outage', () => {
    const clock = manualClock();
    const b = retryBudget({ ratio: 0.2, minPerSecond: 1, window: 10_000, clock });
    let calls = 0;
    let retries = 0;
    // 100 s of a total outage at 100 calls/s, each call wanting 3 retries.
    for (let ms = 0; ms < 100_000; ms += 10) {
      clock.advance(10);
      b.onCall();
      calls++;
      for (let r = 0; r < 3; r++) if (b.tryRetry()) retries++;
    }
    expect(retries / calls).toBeGreaterThan(0.2);
    expect(retries / calls).toBeLessThan(0.2 + 0.02);
  });

  it('refills as old calls and retries leave the window', () => {
    const clock = manualClock();
    const b = retryBudget({ ratio: 0.5, minPerSecond: 0, window: 1000, clock });
    for (let i = 0; i < 10; i++) b.onCall();
    expect(b.available()).toBe(5);
    for (let i = 0; i < 5; i++) expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(false);
    clock.advance(1000);
    expect(b.available()).toBe(0);
    b.onCall();
    b.onCall();
    expect(b.tryRetry()).toBe(true);
  });
});
