import type { Broker } from '@tsmicro/broker';
import type { CallWrapper, Client, ClientCompression, PublishWrapper, StreamWrapper } from '@tsmicro/client';
import type { Codec } from '@tsmicro/codec';
import type { Logger, Metadata } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import type { Selector } from '@tsmicro/selector';
import type { HandlerWrapper, Server, SubscriberWrapper } from '@tsmicro/server';
import type { Transport } from '@tsmicro/transport';
import type { GrpcTransportOptions } from '@tsmicro/transport/grpc';
import type { DebugHandlerOptions } from './health/debug.js';
import type { Readiness } from './health/readiness.js';

/** Options of {@link createService}; every default is resolved in `resolveDefaults` (defaults.ts). */
export interface ServiceOptions {
  /** Service name. Required. */
  name: string;
  /** Default `'latest'`. */
  version?: string;
  /** Registered with the service record. Default `{}`. */
  metadata?: Metadata;
  /** Registered with this process's own node (see `createServer`'s `nodeMetadata`). Default `{}`. */
  nodeMetadata?: Metadata;
  /**
   * This node's share of traffic under `weightedRoundRobin` (node metadata `weight`). Default: none (counts as 1).
   * @example createService({ name: 'greeter', weight: 3 })
   */
  weight?: number;
  /**
   * Default: the registry env `TSMICRO_REGISTRY` names (`mdns`, `etcd`, `consul`, `memory`; address from
   * `TSMICRO_REGISTRY_ADDRESS`), else `mdnsRegistry()` (zero-conf; env `TSMICRO_MDNS_INTERFACE` pins the
   * interface). See `PluginEnv`. Closed by `stop()` when defaulted. A given one is not closed (it may be
   * shared, and `close()` is final), but `stop()` deregisters and ends every watch the service began,
   * and the etcd and mDNS registries close their connection once idle (1 s): the process can exit, and
   * the registry reconnects on its next use.
   */
  registry?: Registry;
  /**
   * Default: the broker env `TSMICRO_BROKER` names (`http`, `nats`, `redis`, `memory`; address from
   * `TSMICRO_BROKER_ADDRESS`), else `httpBroker({ registry })` (subscribers found through the registry).
   * `start()` connects it, given or defaulted, and `stop()` disconnects it, so a stopped service holds
   * no broker connection.
   */
  broker?: Broker;
  /** Default: `tcpTransport({ logger })` with the service's logger, so bad input on the port (malformed frames, slow or oversize senders) is logged; its client side also dials `grpc://` nodes (docs/grpc.md). */
  transport?: Transport;
  /**
   * Serve standard gRPC as well, on the same port as tsmicro's protocol (the connection preface tells
   * them apart; docs/grpc.md): `true`, or gRPC options (`schemas` for `application/grpc` and
   * reflection, `maxMessageSize`, `compression`, `tls`, which then covers both protocols on the
   * port). `grpc.health.v1.Health` follows the service:
   * NOT_SERVING until started, SERVING once registered, NOT_SERVING as soon as a stop begins. Not
   * together with `transport` (give that transport gRPC itself). Default: off.
   * @example createService({ name: 'greeter', grpc: { schemas: [file_greeter] } })
   */
  grpc?: true | Omit<GrpcTransportOptions, 'health'>;
  /** Default: leastLoaded over the registry. */
  selector?: Selector;
  /** Default json, msgpack, bytes. */
  codecs?: Codec[];
  /** Request encoding of the client. Default `'application/json'`. */
  contentType?: string;
  /** Listen address. Default `'127.0.0.1:0'` (use `'0.0.0.0:port'` to be reachable from other hosts). */
  address?: string;
  /** Default: `createLogger({ name })` (pino, JSON lines on stdout). */
  logger?: Logger;
  /** Ms a registration lives without a heartbeat. Default 30 000. */
  registerTtl?: number;
  /** Ms between heartbeats. Default `registerTtl / 3`. */
  registerInterval?: number;
  /** Ms `stop()` lets in-flight calls finish. Default 10 000. */
  gracePeriod?: number;
  /** Client call timeout in ms. Default 5000. */
  timeout?: number;
  /** Client retries on other nodes. Default 1. */
  retries?: number;
  /**
   * Message compression for the server (responses, accepted requests) and the client (requests,
   * `publish`); docs/protocol.md, "Compression". Default: none sent, every encoding accepted.
   * @example createService({ name: 'reports', compression: { encoding: 'gzip' } })
   */
  compression?: ClientCompression;
  /** Lifecycle callbacks, e.g. warming a cache before the service reports ready. Default none. */
  hooks?: ServiceHooks;
  /**
   * The service's own introspection. On by default: it answers `Debug.health` (`{ status: 'ok', readiness }`)
   * and `Debug.stats` (uptime, memory, in-flight and per-endpoint counts), keeps the readiness flag
   * `svc.readiness` (ready once started and registered, `'stopping'` from the first moment of a graceful
   * stop, ready again after a restart), and counts calls with a stats wrapper placed outermost in the
   * handler wrappers, so calls other wrappers refuse are counted too. Give `readiness` or `stats` to use
   * your own (the service still flips and feeds them). `false` turns all of it off, which also frees the
   * name `Debug` for `handle('Debug', …)`.
   * Default: on, with a new `readiness()` and `statsWrapper()`.
   */
  debug?: false | DebugHandlerOptions;
  /** Middleware of the server (handler, subscriber) and the client (call, stream, publish). Default none. */
  wrappers?: {
    handler?: HandlerWrapper[];
    subscriber?: SubscriberWrapper[];
    call?: CallWrapper[];
    stream?: StreamWrapper[];
    publish?: PublishWrapper[];
  };
}

/** A lifecycle callback; `start()`/`stop()` wait for it. */
export type Hook = () => void | Promise<void>;

/**
 * Lifecycle callbacks (go-micro's BeforeStart/AfterStart/BeforeStop/AfterStop), run in order.
 * `afterStart` runs once the service is registered and serving; `beforeStop` before the graceful stop begins.
 * The service's own readiness flag (`debug`) turns ready after the last `afterStart` hook and
 * `'stopping'` before the first `beforeStop` hook.
 * @example createService({ name, hooks: { afterStart: [() => cache.warm()], afterStop: [() => db.end()] } })
 */
export interface ServiceHooks {
  beforeStart?: Hook[];
  afterStart?: Hook[];
  beforeStop?: Hook[];
  afterStop?: Hook[];
}

/** Options of `run`. */
export interface RunOptions {
  /** Stops the service when aborted, like SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

/** A client and a server sharing transport, registry and broker. */
export interface Service {
  readonly name: string;
  readonly client: Client;
  readonly server: Server;
  /**
   * The readiness flag the service flips (see `ServiceOptions.debug`), for probes:
   * `healthServer({ port, ready: svc.readiness.isReady })`. `undefined` with `debug: false`.
   */
  readonly readiness: Readiness | undefined;
  /** `server.handle`, except that `'Debug'` is refused (400) while the service answers Debug itself. */
  handle: Server['handle'];
  subscribe: Server['subscribe'];
  /** Connects the broker and starts the server (listen, subscribe, register). */
  start(): Promise<void>;
  /**
   * Stops the server gracefully, closes the client's connections, disconnects the broker `start()`
   * connected (given or defaulted) and closes a defaulted registry (such a service cannot start again;
   * pass your own registry to restart). A given registry is not closed (it may be shared, and `close()`
   * is final), but it holds nothing for this service any more: registrations and watches end, and an
   * etcd or mDNS registry with no other user releases its connection within a second, so the process
   * exits. Until the next `start()`, calls through `svc.client` fail with a 503 saying the service stopped.
   */
  stop(): Promise<void>;
  /** Starts, logs one line, waits for SIGINT/SIGTERM or `signal`, then stops gracefully. */
  run(o?: RunOptions): Promise<void>;
}
