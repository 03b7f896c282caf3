export type {
  CallFunc,
  CallOptions,
  CallRequest,
  CallWrapper,
  Client,
  ClientOptions,
  PublishFunc,
  PublishOptions,
  PublishRequest,
  PublishWrapper,
  Stream,
  StreamFunc,
  StreamRequest,
  StreamWrapper,
} from './client.js';
export { createClient } from './create-client.js';
export type { HandlerProxy, ProxyMethod, ServiceProxy } from './proxy-types.js';
