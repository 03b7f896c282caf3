import type * as Prom from 'prom-client';

/** What a latency histogram reads from a series: its labels, per-bucket counts (last = +Inf) and sum. */
export interface TimedSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: readonly number[];
  readonly sum: number;
}

/** A prom-client histogram whose figures come from series, and the bucket bounds they count in. */
export type LatencyHistogram = Prom.Histogram & { readonly bounds: readonly number[] };

type Snapshot = Awaited<ReturnType<Prom.Histogram['get']>>;
// prom-client's typings declare the type as a numeric enum; at run time (and in the text format) it is the word.
const histogramType = 'histogram' as unknown as Snapshot['type'];

/**
 * A `prom-client` Histogram (registered, named, typed and exposed as any other) that renders the
 * buckets the series counted instead of its own: observing costs a loop over the bounds rather than
 * prom-client's label hashing and float-keyed buckets. Its own `observe()` is not read.
 */
export function latencyHistogram(
  prom: typeof Prom,
  registry: Prom.Registry,
  o: { name: string; help: string; labelNames: string[]; buckets: number[] },
  sources: ReadonlyArray<() => Iterable<TimedSeries>>,
): LatencyHistogram {
  const bounds = [...o.buckets];
  const bucket = `${o.name}_bucket`;
  /** Series of every source, those with equal labels (two `metrics()` on one registry) added up. */
  const merged = () => {
    const byLabels = new Map<string, { labels: Readonly<Record<string, string>>; counts: number[]; sum: number }>();
    for (const src of sources)
      for (const s of src()) {
        const key = JSON.stringify(s.labels);
        const m = byLabels.get(key);
        if (!m) byLabels.set(key, { labels: s.labels, counts: [...s.counts], sum: s.sum });
        else {
          m.sum += s.sum;
          for (let i = 0; i < m.counts.length; i++) m.counts[i] = (m.counts[i] ?? 0) + (s.counts[i] ?? 0);
        }
      }
    return byLabels.values();
  };
  const snapshot = (): Snapshot => {
    const values: Snapshot['values'] = [];
    for (const s of merged()) {
      let acc = 0;
      for (let i = 0; i < bounds.length; i++) {
        acc += s.counts[i] ?? 0;
        values.push({ labels: { ...s.labels, le: bounds[i] }, value: acc, metricName: bucket });
      }
      acc += s.counts[bounds.length] ?? 0;
      values.push(
        { labels: { ...s.labels, le: '+Inf' }, value: acc, metricName: bucket },
        { labels: { ...s.labels }, value: s.sum, metricName: `${o.name}_sum` },
        { labels: { ...s.labels }, value: acc, metricName: `${o.name}_count` },
      );
    }
    return { name: o.name, help: o.help, type: histogramType, values, aggregator: 'sum', collect: () => {} };
  };
  class SeriesHistogram extends prom.Histogram {
    readonly bounds = bounds;
    override async get(): Promise<Snapshot> {
      return snapshot();
    }
    // The registry renders text from this one when a metric has it.
    async getForPromString(): Promise<Snapshot> {
      return snapshot();
    }
  }
  return new SeriesHistogram({ name: o.name, help: o.help, labelNames: o.labelNames, buckets: bounds, registers: [registry] });
}
