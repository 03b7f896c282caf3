export { benchCacheLookup, type CacheLookupOptions, type CacheLookupRow } from './cache-lookup.js';
export { benchDiscoveryLatency, type DiscoveryLatencyOptions, type DiscoveryLatencyRow } from './latency-suite.js';
export { benchSelectorOverhead, type SelectorOverheadOptions, type SelectorOverheadRow } from './selector-overhead.js';
export type { LatencyStats } from './stats.js';
export {
  type DiscoveryBenchOptions,
  type DiscoveryPart,
  type DiscoveryResults,
  formatDiscovery,
  runDiscoveryBench,
} from './suite.js';
export { measureWatchLatency, type WatchLatencyOptions, type WatchLatencyResult } from './watch-latency.js';
