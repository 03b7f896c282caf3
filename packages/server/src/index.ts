export type {
  BidiStreamHandler,
  ClientStreamHandler,
  HandlerKind,
  HandlerSchemas,
  ServerStreamHandler,
  UnaryHandler,
} from '@tsmicro/transport/rpc';
export { createServer } from './create-server.js';
export { bidiStream, clientStream, serverStream } from './markers.js';
export type {
  HandlerFunc,
  HandlerWrapper,
  Server,
  ServerContext,
  ServerOptions,
  ServerSubscribeOptions,
  SubscriberFunc,
  SubscriberWrapper,
} from './server.js';
