import { describe, expect, it } from 'vitest';
import { medianOfRounds, summarize } from './rounds.js';
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
