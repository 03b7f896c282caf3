import { internalServerError } from '@tsmicro/core';
import type * as Prom from 'prom-client';
import { codeOf } from '../internal/outcome.js';
import { latencyHistogram } from './histogram.js';

/**
 * The figures of one label set (service × endpoint, service × topic, or a topic), kept in plain
 * fields. prom-client hashes and validates labels on every `inc`/`set`/`observe` (its histogram
 * also indexes buckets by float keys): a few microseconds a call. Here a call costs a few
 * additions; the metrics read these fields when scraped.
 */
export class Series {
  inFlight = 0;
  ok = 0;
  /** Error counts by code; success is `ok`. */
  readonly errors = new Map<number, number>();
  /** Observations per bucket (the last is +Inf), not cumulative; empty without a histogram. */
  readonly counts: number[];
  sum = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[] | undefined,
  ) {
    this.counts = bounds ? new Array<number>(bounds.length + 1).fill(0) : [];
  }

  /** Like {@link end}, for work counted in flight when it began. */
  finish(ms: number, err?: unknown): void {
    this.inFlight--;
    this.end(ms, err);
  }

  /** Records one ended unit of work that took `ms` milliseconds. */
  end(ms: number, err?: unknown): void {
    const b = this.bounds;
    if (b) {
      const seconds = ms / 1000;
      let i = 0;
      while (i < b.length && seconds > (b[i] as number)) i++;
      this.counts[i] = (this.counts[i] as number) + 1;
      this.sum += seconds;
    }
    if (err === undefined) this.ok++;
    else {
      const code = codeOf(err);
      this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    }
  }
}

/** The metrics of one kind of work: an outcome counter, maybe a latency histogram and an in-flight gauge. */
export interface FamilySpec {
  counter: { name: string; help: string };
  histogram?: { name: string; help: string };
  gauge?: { name: string; help: string };
  /** One or two label names, besides `code` on the counter. */
  labelNames: readonly [string] | readonly [string, string];
}

/** A family's series, found by their label values without building a key string. */
export interface Family {
  series(a: string, b?: string): Series;
}

// Several `metrics()` on one registry (services sharing a process) share its metrics; each adds
// its own series to what they read. The list rides on the metric object, so nothing is global.
const sourcesKey = Symbol.for('tsmicro.metrics.sources');
type WithSources = { [sourcesKey]?: SeriesSource[] };
/** Every series one `metrics()` counted in a family. */
type SeriesSource = () => Iterable<Series>;

/** The sources list of a metric `metrics()` made; a same-named metric made by anything else is refused. */
function sourcesOf(metric: object, name: string): SeriesSource[] {
  const list = (metric as WithSources)[sourcesKey];
  if (!list) throw internalServerError(`metrics(): the registry already has a metric ${name} not made by metrics(); use another prefix`);
  return list;
}

/**
 * Creates (or, on a registry that has them, reuses) the prom-client metrics of `spec`. The counter
 * and the gauge are refilled from the series in their `collect`, which prom-client runs at each
 * scrape; the histogram renders the series' buckets itself.
 */
export function createFamily(prom: typeof Prom, registry: Prom.Registry, buckets: number[], spec: FamilySpec): Family {
  const all = new Map<string, Map<string, Series>>();
  const source: SeriesSource = function* () {
    for (const inner of all.values()) yield* inner.values();
  };
  const labelNames = [...spec.labelNames];
  const made = <T extends object>(name: string, make: (sources: SeriesSource[]) => T): T => {
    const found = registry.getSingleMetric(name) as T | undefined;
    const metric = found ?? make([]);
    sourcesOf(metric, name).push(source);
    return metric;
  };
  const tag = <T extends object>(m: T, sources: SeriesSource[]): T => Object.assign(m, { [sourcesKey]: sources });

  made(spec.counter.name, (sources) => {
    const c: Prom.Counter = new prom.Counter({
      ...spec.counter,
      labelNames: [...labelNames, 'code'],
      registers: [registry],
      collect() {
        c.reset();
        for (const src of sources)
          for (const s of src()) {
            if (s.ok > 0) c.inc({ ...s.labels, code: 200 }, s.ok);
            for (const [code, n] of s.errors) c.inc({ ...s.labels, code }, n);
          }
      },
    });
    return tag(c, sources);
  });
  if (spec.gauge)
    made(spec.gauge.name, (sources) => {
      const g: Prom.Gauge = new prom.Gauge({
        ...spec.gauge!,
        labelNames,
        registers: [registry],
        collect() {
          g.reset();
          // inc, not set: two `metrics()` sharing the registry may both have this label set.
          for (const src of sources) for (const s of src()) g.inc(s.labels, s.inFlight);
        },
      });
      return tag(g, sources);
    });
  const histogram =
    spec.histogram &&
    made(spec.histogram.name, (sources) =>
      tag(latencyHistogram(prom, registry, { ...spec.histogram!, labelNames, buckets }, sources), sources),
    );
  const bounds = histogram?.bounds;

  // The last series found: a process mostly calls (or serves) one endpoint after another, and
  // comparing two short strings is cheaper than hashing a label value freshly decoded from the wire.
  let lastA: string | undefined;
  let lastB = '';
  let last: Series | undefined;
  return {
    series(a, b = '') {
      if (a === lastA && b === lastB && last) return last;
      let inner = all.get(a);
      if (!inner) {
        inner = new Map();
        all.set(a, inner);
      }
      let s = inner.get(b);
      if (!s) {
        const labels: Record<string, string> = { [labelNames[0] as string]: a };
        if (labelNames[1] !== undefined) labels[labelNames[1]] = b;
        s = new Series(labels, bounds);
        inner.set(b, s);
      }
      lastA = a;
      lastB = b;
      last = s;
      return s;
    },
  };
}
