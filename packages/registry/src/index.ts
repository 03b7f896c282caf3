export type {
  Endpoint,
  RegisterOptions,
  Registry,
  ServiceNode,
  ServiceRecord,
  WatchEvent,
  WatchOptions,
} from './registry.js';
