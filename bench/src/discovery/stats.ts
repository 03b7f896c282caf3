/** Latency percentiles of one series, in milliseconds. */
export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `samples` (ms); all zero when there are none. */
export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

/**
 * Runs `op` in a closed loop, in `windows` (default 5) windows that each stop at
 * `maxIterations / windows` calls or `maxMs / windows` ms (the clock is read every 1024 calls so
 * reading it costs nothing measurable), and returns the mean ns per call of the fastest window:
 * the first window still pays for JIT tiering and any window may share the CPU with other work.
 */
export async function nsPerCall(
  op: (i: number) => Promise<unknown>,
  o: { warmup: number; maxIterations: number; maxMs: number; windows?: number },
): Promise<{ ns: number; iterations: number }> {
  for (let i = 0; i < o.warmup; i++) await op(i);
  const windows = o.windows ?? 5;
  const cap = Math.max(1, Math.ceil(o.maxIterations / windows));
  let best = Number.POSITIVE_INFINITY;
  let total = 0;
  for (let w = 0; w < windows; w++) {
    const deadline = performance.now() + o.maxMs / windows;
    const start = process.hrtime.bigint();
    let i = 0;
    while (i < cap && ((i & 1023) !== 0 || performance.now() < deadline)) await op(total + i++);
    if (i > 0) best = Math.min(best, Number(process.hrtime.bigint() - start) / i);
    total += i;
  }
  return { ns: total === 0 ? 0 : best, iterations: total };
}

/**
 * A table as aligned plain text, or as Markdown (for RESULTS.md); the columns listed in `right`
 * (by index) are right-aligned.
 */
export function formatTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  o: { right?: readonly number[]; markdown?: boolean } = {},
): string {
  const right = o.right ?? [];
  if (o.markdown) {
    const esc = (r: readonly string[]) => `| ${head.map((_, i) => (r[i] ?? '').replaceAll('|', '\\|')).join(' | ')} |`;
    return [esc(head), `|${head.map((_, i) => (right.includes(i) ? '---:' : '---')).join('|')}|`, ...rows.map(esc)].join('\n');
  }
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    head
      .map((_, i) => (right.includes(i) ? (r[i] ?? '').padStart(widths[i] ?? 0) : (r[i] ?? '').padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `n` with `digits` fraction digits and thousands separators. */
export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
