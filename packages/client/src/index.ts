export type {
  BidiStreamHandler,
  ClientStreamHandler,
  HandlerKind,
  ServerStreamHandler,
  UnaryHandler,
} from '@tsmicro/transport/rpc';
export type {
  CallFunc,
  CallOptions,
  CallRequest,
  CallWrapper,
  Client,
  ClientCompression,
  ClientFunc,
  ClientOptions,
  ClientWrapper,
  HashKey,
  HedgeCallOptions,
  NodeBulkheadOptions,
  PublishFunc,
  PublishOptions,
  PublishRequest,
  PublishWrapper,
  Stream,
  StreamFunc,
  StreamRequest,
  StreamWrapper,
} from './client.js';
export { defineService, type HandlersOf, type HandlerTarget, type ServiceDefinition, serve } from './contract.js';
export { createClient } from './create-client.js';
export { describeService, type EndpointDescription, type ServiceDescription } from './describe.js';
export { type ErrorPassingWrapper, passingErrors } from './passing-errors.js';
export type { HandlerProxy, ProxyMethod, ServiceProxy } from './proxy-types.js';
