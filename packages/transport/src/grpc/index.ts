import type { Transport } from '../transport.js';
import { SCHEME } from './address.js';
import { dialGrpc } from './dial.js';
import type { GrpcHealth } from './health.js';
import { listenGrpc } from './listener.js';
import { type GrpcTransportOptions, resolveGrpcOptions } from './options.js';

export type { GrpcEncoding } from './framing.js';
export { type GrpcHealth, grpcHealth, type ServingStatus } from './health.js';
export { GRPC_NODE_METADATA } from './listener.js';
export { codecContentType, endpointOf, grpcContentType, pathOf } from './names.js';
export type { GrpcTransportOptions } from './options.js';
export type { SchemaExtension, SchemaFile, SchemaMessage, SchemaMethod, SchemaNamed, SchemaService } from './schema-file.js';
export {
  decodeGrpcMessage,
  encodeGrpcMessage,
  formatGrpcTimeout,
  fromGrpcStatus,
  GrpcStatus,
  parseGrpcTimeout,
  toGrpcStatus,
} from './status.js';

/** A transport speaking standard gRPC, with the health state its server reports. */
export interface GrpcTransport extends Transport {
  readonly health: GrpcHealth;
}

/**
 * Standard gRPC over HTTP/2 (`node:http2`; h2c, or h2 over TLS with `tls`), docs/grpc.md. Listening serves a server's handlers to any
 * gRPC client (`/pkg.Greeter/SayHello` → `Greeter.sayHello`, `application/grpc` for methods in `schemas`,
 * `application/grpc+json` for all), plus `grpc.health.v1.Health` and reflection; the address is
 * `grpc://host:port`. Dialing lets a tsmicro client call any gRPC server. Defaults: {@link GrpcTransportOptions}.
 * @example createServer({ name: 'greeter', transport: grpcTransport({ schemas: [file_greeter] }) })
 */
export function grpcTransport(options: GrpcTransportOptions = {}): GrpcTransport {
  const o = resolveGrpcOptions(options);
  return {
    name: 'grpc',
    health: o.health,
    dial: (address, d) => dialGrpc(address, o, d),
    listen: (address) => listenGrpc(address, o),
  };
}

/**
 * `base`, except that it dials `grpc://` addresses (nodes registered by a gRPC server) over gRPC, so one
 * client reaches tsmicro and gRPC nodes alike. `createService` uses it for its client.
 * @example createClient({ transport: withGrpc(tcpTransport()), registry })
 */
export function withGrpc(base: Transport, options: GrpcTransportOptions = {}): Transport {
  let grpc: Transport | undefined;
  return {
    name: base.name,
    listen: (address) => base.listen(address),
    dial(address, d) {
      if (!address.startsWith(SCHEME)) return base.dial(address, d);
      grpc ??= grpcTransport(options);
      return grpc.dial(address, d);
    },
  };
}

export { tcpWithGrpc } from './one-port.js';
