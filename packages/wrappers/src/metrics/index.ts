export { type Metrics, type MetricsOptions, metrics } from './metrics.js';
export { type HttpEndpoint, type MetricsServerOptions, metricsServer } from './metrics-server.js';
