export { createBroker, createRegistry } from './build.js';
export {
  type BrokerChoice,
  type BrokerKind,
  brokerChoice,
  brokerKinds,
  type ChoiceSource,
  describeBrokerChoice,
  describeRegistryChoice,
  PluginEnv,
  type PluginOptions,
  type RegistryChoice,
  type RegistryKind,
  registryChoice,
  registryKinds,
} from './choice.js';
