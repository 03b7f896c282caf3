export { createClient, type ServiceClientOptions } from './create-client.js';
export { createService } from './create-service.js';
export {
  type DebugHandler,
  type DebugHandlerOptions,
  debugHandler,
  type HealthReport,
  type StatsReport,
} from './health/debug.js';
export { type Lifecycle, type Readiness, type ReadinessState, readiness, trackReadiness } from './health/readiness.js';
export { type EndpointStats, type StatsCollector, statsWrapper } from './health/stats.js';
export type { Hook, RunOptions, Service, ServiceHooks, ServiceOptions } from './service.js';
