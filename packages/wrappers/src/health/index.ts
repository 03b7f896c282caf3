// Debug endpoints, stats and readiness live in @tsmicro/service, which serves them by default;
// re-exported (from its own subpath, which loads none of the service's defaults) so `@tsmicro/wrappers/health` keeps offering the whole health toolbox.
export {
  type DebugHandler,
  type DebugHandlerOptions,
  debugHandler,
  type EndpointStats,
  type HealthReport,
  type Lifecycle,
  type Readiness,
  type ReadinessState,
  readiness,
  type StatsCollector,
  type StatsReport,
  statsWrapper,
  trackReadiness,
} from '@tsmicro/service/health';
export type { HttpEndpoint } from '../internal/http.js';
export { type HealthServerOptions, healthServer } from './health-server.js';
