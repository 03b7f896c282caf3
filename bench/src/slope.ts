/**
 * Growth of a series of RSS samples taken `intervalMs` apart, as the least-squares slope in percent
 * of the first sample per 10 s. A fit over every sample rather than last − first: one GC landing on
 * the last sample must not decide whether memory climbs.
 * @example slopePer10s([100, 100, 101, 101, 102], 5000) // ≈ 1.0 (% per 10 s)
 */
export function slopePer10s(samples: readonly number[], intervalMs: number): number {
  const n = samples.length;
  const first = samples[0];
  if (n < 2 || first === undefined || first <= 0) return 0;
  const meanX = (n - 1) / 2;
  const meanY = samples.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  samples.forEach((y, i) => {
    num += (i - meanX) * (y - meanY);
    den += (i - meanX) ** 2;
  });
  const perSample = num / den;
  return ((perSample * (10_000 / intervalMs)) / first) * 100;
}
