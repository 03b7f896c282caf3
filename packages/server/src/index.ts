export type {
  BidiStreamHandler,
  ClientStreamHandler,
  HandlerKind,
  HandlerSchemas,
  ServerStreamHandler,
  UnaryHandler,
} from '@tsmicro/transport/rpc';
export { createServer } from './create-server.js';
export { isThenable } from './guards.js';
export { bidiStream, clientStream, serverStream } from './markers.js';
export type {
  AnyHandlerWrapper,
  HandlerFunc,
  HandlerWrapper,
  Server,
  ServerContext,
  ServerOptions,
  ServerSubscribeOptions,
  SubscriberFunc,
  SubscriberWrapper,
  ValueHandlerFunc,
  ValueHandlerWrapper,
} from './server.js';
export { type Runner, settleIterable, settleResult, streamsOut } from './settle.js';
export { passingValues } from './wrap.js';
