// The health toolbox alone: `@tsmicro/wrappers/health` re-exports it without loading the service's
// default registry, broker and transport.
export { type DebugHandler, type DebugHandlerOptions, debugHandler, type HealthReport, type StatsReport } from './debug.js';
export { type Lifecycle, type Readiness, type ReadinessState, readiness, trackReadiness } from './readiness.js';
export { type EndpointStats, type StatsCollector, statsWrapper } from './stats.js';
