import { describe, expect, it } from 'vitest';
import { benchSkewedNodes, formatSkewedNodes } from './skewed.js';

describe('skewed-nodes bench (smoke)', () => {
  it('runs both strategies against 3 server processes and prints a table', async () => {
    const rows = await benchSkewedNodes({ concurrency: 8, warmupMs: 200, measureMs: 400 });
    expect(rows.map((r) => r.strategy)).toEqual(['roundRobin', 'leastLoaded']);
    for (const r of rows) {
      expect(r.errors).toBe(0);
      expect(r.callsPerSecond).toBeGreaterThan(0);
      expect(r.p99).toBeGreaterThanOrEqual(r.p50);
      expect(r.slowShare).toBeLessThanOrEqual(1);
    }
    expect(formatSkewedNodes(rows)).toContain('leastLoaded');
  }, 60_000);
});
