import type fc from 'fast-check';

/**
 * Parameters of every fuzz property in the test suite: `FUZZ_RUNS` inputs per property (default
 * 200, a few seconds in CI) and `FUZZ_SEED` to replay a failure (fast-check prints the seed and
 * path when a property fails). The nightly-size run is scripts/fuzz.ts.
 */
export function runs(fallback = 200): fc.Parameters<unknown> {
  const n = Number(process.env.FUZZ_RUNS);
  const seed = Number(process.env.FUZZ_SEED);
  return {
    numRuns: Number.isInteger(n) && n > 0 ? n : fallback,
    ...(process.env.FUZZ_SEED && Number.isInteger(seed) ? { seed } : {}),
  };
}
