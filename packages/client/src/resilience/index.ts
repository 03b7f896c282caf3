// Resilience building blocks the client uses, for use on their own or shared between clients: `import { circuitBreaker } from '@tsmicro/client/resilience'`.
export { type BackoffOptions, backoff } from './backoff.js';
export { type Bulkhead, type BulkheadOptions, bulkhead } from './bulkhead.js';
export {
  type BreakerPermit,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  circuitBreaker,
} from './circuit-breaker.js';
export { type Clock, type ManualClock, manualClock, systemClock } from './clock.js';
export { type HedgeOptions, hedge } from './hedge.js';
export { type RetryBudget, type RetryBudgetOptions, retryBudget } from './retry-budget.js';
export { isRetryable, type RetryableContext } from './retryable.js';
