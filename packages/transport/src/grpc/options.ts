import { type Logger, silentLogger } from '@tsmicro/core';
import type { TcpTlsOptions } from '../tcp/options.js';
import type { GrpcEncoding } from './framing.js';
import { type GrpcHealth, grpcHealth } from './health.js';
import { type SchemaIndex, schemaIndex } from './schema.js';
import type { SchemaFile } from './schema-file.js';

/** Options of {@link grpcTransport}. Every duration is in milliseconds. */
export interface GrpcTransportOptions {
  /**
   * Generated protobuf file descriptors (`file_greeter` of `greeter_pb.ts`). Server: methods served
   * as `application/grpc` (protobuf) and listed by reflection. Client: lets protobuf calls decode
   * the answer. Default none: `application/grpc+json` (and `+msgpack`…) only.
   */
  schemas?: readonly SchemaFile[];
  /** Client: the gRPC package put in front of an endpoint that names none (`Greeter.sayHello` → `/pkg.Greeter/SayHello`). Default none. */
  package?: string;
  /** Largest message sent or accepted, bytes; larger ones fail with 413 / RESOURCE_EXHAUSTED. Default 4 MiB. */
  maxMessageSize?: number;
  /** `grpc-encoding` of the messages this side sends, `'gzip'` or `'deflate'` (a server compresses only for peers that accept it). Default `'identity'`. */
  compression?: GrpcEncoding;
  /** Dial timeout when a dial gives none. Default 5000. */
  dialTimeout?: number;
  /** Time a closing connection waits for its streams before it is destroyed. Default 2000. */
  closeTimeout?: number;
  /** Server: the state `grpc.health.v1.Health` reports. Default: a fresh `grpcHealth()`, SERVING while listening. */
  health?: GrpcHealth;
  /** Server: answer `grpc.reflection.v1` / `v1alpha` for the `schemas`. Default true. */
  reflection?: boolean;
  /** HTTP/2 flow-control window per stream and per connection, bytes. Default 1 MiB. */
  window?: number;
  /** Server: time between HTTP/2 PINGs the server sends each client connection; 0 disables them. Default 30000. */
  keepaliveInterval?: number;
  /** Server: time a PING may go unanswered before the connection is closed as dead. Default 10000. */
  keepaliveTimeout?: number;
  /**
   * TLS (`grpcs`) for listen and dial, as tcp's `tls`: the server presents `cert`/`key` (ALPN `h2`), the
   * client verifies against `ca`; mutual TLS with `requestCert` and a client `cert`/`key`. Addresses
   * stay `grpc://host:port`: both sides of a deployment are configured alike. Default: plaintext (h2c).
   */
  tls?: TcpTlsOptions;
  /** Default: silent. */
  logger?: Logger;
}

export interface ResolvedGrpcOptions {
  schema: SchemaIndex | undefined;
  package: string | undefined;
  maxMessageSize: number;
  compression: GrpcEncoding;
  dialTimeout: number;
  closeTimeout: number;
  health: GrpcHealth;
  /** True when the transport made its health state: it then flips it itself (SERVING on listen, NOT_SERVING on close). */
  ownsHealth: boolean;
  reflection: boolean;
  window: number;
  keepaliveInterval: number;
  keepaliveTimeout: number;
  tls: TcpTlsOptions | undefined;
  logger: Logger;
}

/** The one place the gRPC transport's defaults live. */
export function resolveGrpcOptions(o: GrpcTransportOptions = {}): ResolvedGrpcOptions {
  return {
    schema: o.schemas && o.schemas.length > 0 ? schemaIndex(o.schemas) : undefined,
    package: o.package,
    maxMessageSize: o.maxMessageSize ?? 4 * 1024 * 1024,
    compression: o.compression ?? 'identity',
    dialTimeout: o.dialTimeout ?? 5000,
    closeTimeout: o.closeTimeout ?? 2000,
    health: o.health ?? grpcHealth(),
    ownsHealth: o.health === undefined,
    reflection: o.reflection ?? true,
    window: o.window ?? 1024 * 1024,
    keepaliveInterval: o.keepaliveInterval ?? 30_000,
    keepaliveTimeout: o.keepaliveTimeout ?? 10_000,
    tls: o.tls,
    logger: o.logger ?? silentLogger(),
  };
}
