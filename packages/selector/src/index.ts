export { createSelector, type SelectorOptions } from './create-selector.js';
export { isNodeFailure } from './failure.js';
export { endpointFilter, metadataFilter, preferFilter, versionFilter } from './filters.js';
export type { OutlierOptions } from './outlier.js';
export type {
  Filter,
  FilterContext,
  Next,
  NodeStats,
  Selection,
  SelectionResult,
  SelectOptions,
  Selector,
  Strategy,
  StrategyInput,
} from './selector.js';
export { compileRange } from './semver.js';
export type { SilenceOptions } from './silence.js';
export { type ConsistentHashOptions, consistentHash, createConsistentHash } from './strategies/consistent-hash.js';
export { leastLoaded } from './strategies/least-loaded.js';
export { random } from './strategies/random.js';
export { roundRobin } from './strategies/round-robin.js';
export { nodeWeight, weightedRoundRobin } from './strategies/weighted-round-robin.js';
