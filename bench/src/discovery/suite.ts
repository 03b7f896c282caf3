import { benchCacheLookup, type CacheLookupRow } from './cache-lookup.js';
import { benchDiscoveryLatency, type DiscoveryLatencyRow } from './latency-suite.js';
import { benchSelectorOverhead, type SelectorOverheadRow } from './selector-overhead.js';
import { fmt, formatTable, type LatencyStats } from './stats.js';

/** The discovery benchmarks (issue 4) and the selector overhead (issue 6). */
export type DiscoveryPart = 'latency' | 'cache' | 'selector';

/** Options of {@link runDiscoveryBench}. */
export interface DiscoveryBenchOptions {
  /** Parts to run. Default all three. */
  parts?: readonly DiscoveryPart[];
  /** Small counts and short windows (a few seconds in all) instead of the default (~20 s). Default false. */
  quick?: boolean;
  /** Told when each part starts, for progress output. Default: nothing. */
  progress?: (part: DiscoveryPart) => void;
}

/** What a run measured; a part that was not run is absent. */
export interface DiscoveryResults {
  latency?: DiscoveryLatencyRow[];
  cache?: CacheLookupRow[];
  selector?: SelectorOverheadRow[];
}

/**
 * Runs the selected parts one after the other (never concurrently: they would skew each other).
 * @example console.log(formatDiscovery(await runDiscoveryBench({ quick: true })))
 */
export async function runDiscoveryBench(o: DiscoveryBenchOptions = {}): Promise<DiscoveryResults> {
  const parts = o.parts ?? ['latency', 'cache', 'selector'];
  const q = o.quick === true;
  const r: DiscoveryResults = {};
  if (parts.includes('latency')) {
    o.progress?.('latency');
    r.latency = await benchDiscoveryLatency(q ? { rounds: 10, warmupRounds: 1, budgetMs: 5000 } : {});
  }
  if (parts.includes('cache')) {
    o.progress?.('cache');
    r.cache = await benchCacheLookup(q ? { maxMs: 200 } : {});
  }
  if (parts.includes('selector')) {
    o.progress?.('selector');
    r.selector = await benchSelectorOverhead(q ? { maxMs: 100 } : {});
  }
  return r;
}

const ms = (s: LatencyStats | undefined, k: 'p50' | 'p99' | 'max') => (s ? fmt(s[k], 2) : '-');

/** The results as titled tables: aligned text by default, Markdown with `markdown: true`. */
export function formatDiscovery(r: DiscoveryResults, o: { markdown?: boolean } = {}): string {
  const out: string[] = [];
  const title = (t: string) => (o.markdown ? `### ${t}\n` : `${t}\n`);
  if (r.latency) {
    const rows = r.latency.map((x) => [
      x.registry,
      String(x.register?.count ?? 0),
      ms(x.register, 'p50'),
      ms(x.register, 'p99'),
      ms(x.register, 'max'),
      ms(x.deregister, 'p50'),
      ms(x.deregister, 'p99'),
      ms(x.deregister, 'max'),
      x.note,
    ]);
    const head = ['Registry', 'Rounds', 'reg p50 ms', 'reg p99 ms', 'reg max ms', 'dereg p50 ms', 'dereg p99 ms', 'dereg max ms', 'Note'];
    out.push(title('Register → watcher-seen latency (registrant in another process)'));
    out.push(formatTable(head, rows, { right: [1, 2, 3, 4, 5, 6, 7], ...o }));
  }
  if (r.cache) {
    const base = r.cache[0]?.ns ?? 0;
    const rows = r.cache.map((x) => [
      `${fmt(x.services)} × ${x.nodesPerService}`,
      fmt(x.ns, 1),
      base > 0 ? `${(x.ns / base).toFixed(2)}×` : '-',
      fmt(x.iterations),
    ]);
    out.push(title('getService through cacheRegistry (warm, over memoryRegistry)'));
    out.push(formatTable(['Services × nodes', 'ns/call', 'vs first', 'Calls'], rows, { right: [1, 2, 3], ...o }));
  }
  if (r.selector) {
    const sizes = [...new Set(r.selector.map((x) => x.nodes))];
    const names = [...new Set(r.selector.map((x) => x.strategy))];
    const cell = (s: string, n: number) => {
      const x = r.selector?.find((y) => y.strategy === s && y.nodes === n);
      return x ? fmt(x.ns) : '-';
    };
    const head = ['Strategy', ...sizes.map((n) => `${fmt(n)} nodes ns`)];
    out.push(title('Selector overhead: select + next + done'));
    out.push(
      formatTable(
        head,
        names.map((s) => [s, ...sizes.map((n) => cell(s, n))]),
        { right: sizes.map((_, i) => i + 1), ...o },
      ),
    );
  }
  return out.map((s, i) => (i % 2 === 1 ? `${s}\n` : s)).join('\n');
}
