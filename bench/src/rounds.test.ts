import { describe, expect, it } from 'vitest';
import { medianOfRounds, pairedRatio, summarize } from './rounds.js';
import type { Row, RowResult } from './rows.js';

const row = (impl: 'nats' | 'natsBroker'): Row => ({ kind: 'pubsub', id: 'W3', label: 'W3 pub/sub 200k', impl });
const result = (r: Row, rate: number | undefined, note = 'lost 0'): RowResult =>
  rate === undefined ? { row: r, unit: 'msgs/s', note } : { row: r, rate, unit: 'msgs/s', note };

describe('W3 rounds', () => {
  it('keeps the median round and lists every rate', () => {
    const r = row('nats');
    const s = summarize([result(r, 500_000), result(r, 300_000), result(r, 700_000)]);
    expect(s.rate).toBe(500_000);
    expect(s.note).toBe('lost 0; median of 3: 500,000 / 300,000 / 700,000');
  });

  it('shows a round that lost messages even when the median did not', () => {
    const r = row('natsBroker');
    const s = summarize([result(r, 400_000), result(r, 450_000, 'lost 3'), result(r, 500_000)]);
    expect(s.rate).toBe(450_000);
    expect(s.note).toContain('lost 3');
    const t = summarize([result(r, 400_000), result(r, 460_000), result(r, 500_000, 'lost 7')]);
    expect(t.rate).toBe(460_000);
    expect(t.note).toContain('another round: lost 7');
  });

  it('passes a single round through unchanged, and skips rounds that could not run', () => {
    const r = row('nats');
    const one = result(r, 1);
    expect(summarize([one])).toBe(one);
    expect(summarize([result(r, undefined, 'down'), result(r, 10), result(r, 30)]).rate).toBe(10);
  });

  it('interleaves the rows round by round', async () => {
    const order: string[] = [];
    const rows = [row('nats'), row('natsBroker')];
    const m = await medianOfRounds(rows, 2, async (r, k) => {
      order.push(`${r.kind === 'pubsub' ? r.impl : ''}${k}`);
      return result(r, 100 + k);
    });
    expect(order).toEqual(['nats0', 'natsBroker0', 'nats1', 'natsBroker1']);
    expect(m.get(rows[1]!)?.rate).toBe(100);
  });
});

describe('paired ratios', () => {
  it("take the median of each round's ratio, so a slow round slows both rows and cancels out", () => {
    const a = row('nats');
    const b = row('natsBroker');
    const ceiling = [result(a, 100), result(a, 50), result(a, 120)];
    const stack = [result(b, 80), result(b, 45), result(b, 60)];
    // Per round 0.8, 0.9, 0.5: the median is 0.8, where median(stack) / median(ceiling) would say 60/100.
    expect(pairedRatio(stack, ceiling)).toBeCloseTo(0.8);
    expect(pairedRatio([result(b, 80), result(b, 60)], [result(a, 100), result(a, 100)])).toBeCloseTo(0.7);
  });

  it('skips rounds where either row could not run, and gives undefined when none had both', () => {
    const a = row('nats');
    const b = row('natsBroker');
    expect(pairedRatio([result(b, 90), result(b, undefined)], [result(a, 100), result(a, 100)])).toBeCloseTo(0.9);
    expect(pairedRatio([result(b, undefined)], [result(a, 100)])).toBeUndefined();
  });

  it('keeps every round on the summary, for the pairing', () => {
    const r = row('nats');
    const rounds = [result(r, 1), result(r, 2), result(r, 3)];
    expect(summarize(rounds).rounds).toEqual(rounds);
  });
});
