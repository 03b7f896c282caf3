import type { Row, RowResult } from './rows.js';

/**
 * Runs `rows` in `rounds` interleaved rounds (a b c, a b c, …) and keeps, per row, the round with the
 * median rate. A ceiling and its stack then see the same machine moments: single W3 runs of raw nats
 * swung 410k–767k msgs/s on a shared 2-core machine, so one run's ratio said more about the moment
 * than about the stack. The note lists every round's rate, and every round that lost messages.
 */
export async function medianOfRounds(
  rows: readonly Row[],
  rounds: number,
  run: (row: Row, round: number) => Promise<RowResult>,
): Promise<Map<Row, RowResult>> {
  const all = new Map<Row, RowResult[]>(rows.map((r) => [r, []]));
  for (let k = 0; k < rounds; k++) for (const row of rows) all.get(row)?.push(await run(row, k));
  const out = new Map<Row, RowResult>();
  for (const [row, results] of all) out.set(row, summarize(results));
  return out;
}

/** The median round, its note extended with every round's rate and the other rounds' own notes when they differ. */
export function summarize(results: readonly RowResult[]): RowResult {
  const measured = results.filter((r) => r.rate !== undefined).sort((a, b) => (a.rate as number) - (b.rate as number));
  const median = measured[Math.floor((measured.length - 1) / 2)] ?? results[0];
  if (!median) throw new Error('no round ran');
  if (results.length === 1) return median;
  const rounds = [...results];
  const rates = results.map((r) => (r.rate === undefined ? '-' : Math.round(r.rate).toLocaleString('en-US'))).join(' / ');
  const others = [...new Set(results.filter((r) => r !== median && r.note !== median.note).map((r) => r.note))];
  const note = [median.note, `median of ${results.length}: ${rates}`, ...others.map((n) => `another round: ${n}`)]
    .filter(Boolean)
    .join('; ');
  return { ...median, note, rounds };
}

/**
 * The median over rounds of a row's rate divided by its ceiling's rate in the same round. Each pair
 * ran back to back, so a slow stretch of the machine slows both and cancels out; dividing two
 * medians taken from different rounds would keep it. Undefined when no round has both rates.
 */
export function pairedRatio(row: readonly RowResult[], ceiling: readonly RowResult[]): number | undefined {
  const ratios: number[] = [];
  for (let k = 0; k < row.length; k++) {
    const a = row[k]?.rate;
    const b = ceiling[k]?.rate;
    if (a !== undefined && b !== undefined && b > 0) ratios.push(a / b);
  }
  ratios.sort((x, y) => x - y);
  const n = ratios.length;
  if (n === 0) return undefined;
  return n % 2 === 1 ? ratios[(n - 1) / 2] : ((ratios[n / 2 - 1] as number) + (ratios[n / 2] as number)) / 2;
}
