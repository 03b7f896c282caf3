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
export {
  type BrokerChoice,
  type BrokerKind,
  brokerChoice,
  brokerKinds,
  type ChoiceSource,
  createBroker,
  createRegistry,
  describeBrokerChoice,
  describeRegistryChoice,
  PluginEnv,
  type PluginOptions,
  type RegistryChoice,
  type RegistryKind,
  registryChoice,
  registryKinds,
} from './plugins/index.js';
export type { Hook, RunOptions, Service, ServiceHooks, ServiceOptions } from './service.js';
