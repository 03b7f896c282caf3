import type { Broker } from '@tsmicro/broker';
import type { Codec } from '@tsmicro/codec';
import type { Context, Logger, Metadata } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import type { Transport } from '@tsmicro/transport';
import type { HandlerKind, MuxCompression } from '@tsmicro/transport/rpc';

/** The context of one call: the core {@link Context} plus the call's shape. */
export interface ServerContext extends Context {
  readonly kind: HandlerKind;
  /** This server's node id, as registered. */
  readonly node: string;
  /** The caller's transport address (e.g. `127.0.0.1:51234`). */
  readonly peer: string;
  /**
   * Adds trailer metadata to the answer (keys lower-cased; a later call adds to or overwrites
   * earlier keys). It goes with the call's end, whether it succeeds or fails: over gRPC as trailing
   * metadata beside `grpc-status`; over tsmicro's protocol in the last frame's header. Set it before the
   * handler returns (or before a stream's last item): what is set after the answer is gone is dropped.
   * @example ctx.setTrailer({ 'x-cache': 'hit' })
   */
  setTrailer(metadata: Readonly<Metadata>): void;
}

/**
 * One endpoint invocation as wrappers see it. For unary and server-stream calls `req` is the decoded
 * request; for client and bidi streams it is an `AsyncIterable` of requests. It answers as the
 * handler did: with the value itself when the handler answered at once, with a promise when it did
 * not (server and bidi streams answer with an `AsyncIterable` of responses); a throw or a rejection
 * is the call's failure.
 */
export type HandlerFunc = (req: unknown, ctx: ServerContext) => unknown;
/**
 * Middleware around every handler call, `(next) => next'`; the first listed is the outermost. This
 * is the server's one wrapper shape (subscribers take the same, see {@link SubscriberWrapper}).
 * `next` answers as the handler did, a value or a promise, so `await` it or hand it back untouched.
 * Nothing needs declaring for speed: when every wrapper hands back a plain value as it came, the
 * server answers in the request's own turn, with no promise, timer or stream state for the call; an
 * `async` wrapper simply makes the call answer later.
 * @example const audit: HandlerWrapper = (next) => (req, ctx) => { log(ctx.endpoint); return next(req, ctx) }
 * @example const auth: HandlerWrapper = (next) => async (req, ctx) => { await check(ctx); return next(req, ctx) }
 */
export type HandlerWrapper = (next: HandlerFunc) => HandlerFunc;
/**
 * A subscriber as wrappers see it; `ctx.endpoint` is the topic. Like {@link HandlerFunc}, it answers
 * with a plain value when the subscriber returned at once, a promise when it did not; a throw or a
 * rejection nacks the message.
 */
export type SubscriberFunc = (payload: unknown, ctx: Context) => unknown;
/** Middleware around every subscriber call, the same shape as {@link HandlerWrapper}. The first listed is the outermost. */
export type SubscriberWrapper = (next: SubscriberFunc) => SubscriberFunc;
/** @deprecated Every handler wrapper now passes values: use {@link HandlerFunc}. */
export type ValueHandlerFunc = HandlerFunc;
/** @deprecated Every handler wrapper now passes values: use {@link HandlerWrapper}. */
export type ValueHandlerWrapper = HandlerWrapper;
/** @deprecated There is one kind of handler wrapper: use {@link HandlerWrapper}. */
export type AnyHandlerWrapper = HandlerWrapper;

/** Options of `server.subscribe`. */
export interface ServerSubscribeOptions {
  /** Competing consumers: each message goes to one member of the group. Default: none (every subscriber gets every message). */
  queue?: string;
  /** Durable subscription name where the broker supports it. Default: none. */
  durable?: string;
}

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Service name, registered and stamped on errors. Required. */
  name: string;
  /** Default `'latest'`. */
  version?: string;
  /** Service metadata in the registry record. Default `{}`. */
  metadata?: Metadata;
  /**
   * Metadata of this server's own node in the registry record (beside `transport`, `weight` and
   * `register_ttl`, which the server writes itself). Default `{}`.
   * @example createServer({ name, nodeMetadata: { zone: 'eu-1' } })
   */
  nodeMetadata?: Metadata;
  /**
   * This node's share of traffic under `weightedRoundRobin`, registered as node metadata `weight`:
   * a node of weight 3 gets three calls for every one a node of weight 1 gets. A positive finite number.
   * Default: none registered (the strategy counts it as 1), unless `nodeMetadata.weight` is given.
   * @example createServer({ name: 'greeter', weight: 3 })
   */
  weight?: number;
  /** Default: a fresh `memoryTransport()` (the service package picks tcp). */
  transport?: Transport;
  /** Address to listen on. Default `'127.0.0.1:0'` (memory: a fresh address). */
  address?: string;
  /** Where the server registers itself. Default: none (no registration). */
  registry?: Registry;
  /** Broker for `subscribe`. Default: none (`subscribe` then fails at `start`). */
  broker?: Broker;
  /** Codecs the server speaks, chosen by the request's `Content-Type`. Default json, msgpack, bytes. */
  codecs?: readonly Codec[];
  /** Default: silent. */
  logger?: Logger;
  /** Registry ttl in ms: a node not re-registered within it expires. Default 30 000. */
  registerTtl?: number;
  /** Heartbeat in ms: how often the node re-registers. Default `registerTtl / 3`. */
  registerInterval?: number;
  /** Ms `stop()` lets in-flight calls finish before aborting them. Default 10 000. */
  gracePeriod?: number;
  /** Concurrent calls one connection may have; more are refused with 429. Default 1024. */
  maxStreamsPerConnection?: number;
  /**
   * Message compression: `encoding` for responses (default `identity`: none; a client is only sent an
   * encoding it said it accepts), `accept` (encodings taken in requests; default all this Node has,
   * `[]` for none), `threshold` (default 1024 bytes), `maxMessageSize` (a request may not decompress
   * past it: 413; default 4 MiB). @example createServer({ name, compression: { encoding: 'br' } })
   */
  compression?: MuxCompression;
  /** Bytes of messages a client may stream ahead per call before the server grants more, at first; grows while the reader waits for them, up to 4 MiB (docs/protocol.md, "Flow control"). Default 262144 (256 KiB). */
  streamWindow?: number;
  /** Middleware. Default none. */
  wrappers?: { handler?: HandlerWrapper[]; subscriber?: SubscriberWrapper[] };
}

/** Serves endpoints and subscriptions. */
export interface Server {
  /** Registers endpoints `${name}.${method}` for every method of `handlers` (own and prototype). Before `start`. */
  handle(name: string, handlers: object): void;
  /** Calls `fn` with each decoded message on `topic`; a throw nacks the message and is logged. */
  subscribe(topic: string, fn: (payload: unknown, ctx: Context) => unknown, o?: ServerSubscribeOptions): void;
  /** Listens, subscribes, registers with ttl and starts the heartbeat. */
  start(): Promise<void>;
  /** Stops accepting, deregisters, lets in-flight calls finish (up to `gracePeriod`), unsubscribes, closes. */
  stop(): Promise<void>;
  /** The listening address; `''` before `start`. */
  readonly address: string;
  readonly name: string;
}
