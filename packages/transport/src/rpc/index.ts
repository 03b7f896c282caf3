export {
  ACCEPT_ENCODING,
  checkEncoding,
  compressBody,
  DEFAULT_THRESHOLD,
  decompressBody,
  ENCODING,
  type Encoding,
  hasZstd,
  SUPPORTED,
} from './compression.js';
export { Deadlines } from './deadlines.js';
export { Frame, type FrameKind, H, INITIAL_WINDOW, MESSAGE_OVERHEAD, messageCost, readMetadata, writeMetadata } from './headers.js';
export {
  type BidiStreamHandler,
  type ClientStreamHandler,
  type HandlerKind,
  handlerKind,
  kindOf,
  registeredKind,
  type ServerStreamHandler,
  type UnaryHandler,
} from './kinds.js';
export { createMux, type Mux, type MuxCompression, type MuxOptions, type OpenOptions } from './mux.js';
export {
  EndpointKeys,
  type HandlerSchemas,
  type JsonSchemaSource,
  jsonSchemaOf,
  schemaSymbol,
  schemasOf,
  withSchemas,
} from './schemas.js';
export { type CallScope, type CallScopeOptions, callScope, raceScope } from './scope.js';
export type { RpcStream } from './stream.js';
export type { UnaryCall, UnaryReceiver } from './unary.js';
