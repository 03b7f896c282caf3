import { describe, expect, it } from 'vitest';
import { type CompressionRow, formatCompression, medianOfCompressionRounds } from './compression.js';

const row = (encoding: string, callsPerSecond: number, bytesPerCall: number): CompressionRow => ({
  encoding,
  callsPerSecond,
  bytesPerCall,
  p99: 1000,
  errors: 0,
});

describe('compression rounds', () => {
  it('takes medians per encoding and pairs each round with its own uncompressed row', () => {
    const rows = medianOfCompressionRounds([
      [row('identity', 100, 60_000), row('gzip', 300, 6000)],
      [row('identity', 50, 61_000), row('gzip', 200, 6100)],
      [row('identity', 200, 59_000), row('gzip', 300, 5900)],
    ]);
    const gzip = rows.find((r) => r.encoding === 'gzip');
    expect(gzip?.callsPerSecond).toBe(300);
    expect(gzip?.bytesPerCall).toBe(6000);
    // Each round's gzip against that round's own base: round 2's slow base is never set against round 3's gzip.
    expect(gzip?.roundRatios).toEqual([3, 4, 1.5]);
    expect(formatCompression(rows)).toMatch(/gzip\s+300\s+3\.00x/);
  });
});
