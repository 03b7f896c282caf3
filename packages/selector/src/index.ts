export type {
  Filter,
  Next,
  NodeStats,
  Selection,
  SelectionResult,
  SelectOptions,
  Selector,
  Strategy,
  StrategyInput,
} from './selector.js';
