export type { HttpEndpoint } from '../internal/http.js';
export { type DebugHandler, type DebugHandlerOptions, debugHandler, type HealthReport, type StatsReport } from './debug.js';
export { type HealthServerOptions, healthServer } from './health-server.js';
export { type Lifecycle, type Readiness, type ReadinessState, readiness, trackReadiness } from './readiness.js';
export { type EndpointStats, type StatsCollector, statsWrapper } from './stats.js';
