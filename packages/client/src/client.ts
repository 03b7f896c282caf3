import type { Broker } from '@tsmicro/broker';
import type { Codec } from '@tsmicro/codec';
import type { Context, Logger, Metadata } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import type { SelectOptions, Selector } from '@tsmicro/selector';
import type { Transport } from '@tsmicro/transport';
import type { Encoding, MuxCompression } from '@tsmicro/transport/rpc';
import type { ServiceProxy } from './proxy-types.js';
import type {
  BackoffOptions,
  BulkheadOptions,
  CircuitBreaker,
  CircuitBreakerOptions,
  RetryBudget,
  RetryBudgetOptions,
} from './resilience/index.js';

/** The client's compression settings: the connection's ({@link MuxCompression}) and what `publish` uses. */
export interface ClientCompression extends MuxCompression {
  /** Encoding of published payloads (see {@link PublishOptions.compression}). Default `identity`: none. */
  publish?: Encoding | 'identity';
}

/** Derives the consistent-hash key of a call from its request (`undefined` for streams) and metadata. */
export type HashKey = (req: unknown, metadata: Metadata) => string | undefined;

/** Hedging of one idempotent call: after `delay` ms without an answer the same request also goes to another node. */
export interface HedgeCallOptions {
  /** Ms to wait for an attempt before starting the next alongside it (about the endpoint's p95 latency). */
  delay: number;
  /** Attempts in all, hedges and retries after failures alike. Default 1 + the call's `retries`, at least 2. */
  maxAttempts?: number;
}

/** Options of the client's per-node bulkhead ({@link ClientOptions.nodeBulkhead}). */
export interface NodeBulkheadOptions {
  /** Calls and streams in flight on one node, at most. Required, a positive integer. */
  maxConcurrent: number;
}

/** Per-call options. Each falls back to the client's default. */
export interface CallOptions {
  /** Ms for the whole call, retries included. Default: the client's `timeout` for calls; none for streams. */
  timeout?: number;
  /** Aborts the call; the server's handler sees `ctx.signal` abort. */
  signal?: AbortSignal;
  /** Extra attempts on other nodes for retry-safe errors. Default: the client's `retries`. */
  retries?: number;
  /** Sent with the call (keys lower-cased); merged over `ctx.metadata`. */
  metadata?: Metadata;
  /** Request encoding. Default: the client's `contentType`. */
  contentType?: string;
  /**
   * Compression of this call's messages (bodies of 1 KiB or more, when the server accepts the
   * encoding; docs/protocol.md, "Compression"): `gzip`, `deflate`, `br`, `zstd` (Node 22.15+) or
   * `identity` (none). Default: the client's `compression.encoding`.
   */
  compression?: Encoding | 'identity';
  /** Node selection for this call. */
  select?: SelectOptions;
  /** Call this address directly, skipping selection. */
  address?: string;
  /** A handler's context: the call inherits its remaining deadline, metadata and signal. */
  ctx?: Context;
  /**
   * Repeating the call is harmless, so any server-side failure may be retried (not only failures
   * before the request was sent, and 503s). Default: whether the client's `idempotent` list matches.
   */
  idempotent?: boolean;
  /** Hedge this call (idempotent calls only; otherwise the call fails with a 400). Default: no hedging. */
  hedge?: HedgeCallOptions;
  /**
   * Ms one attempt of an idempotent call may take before it is cancelled (408) and retried on another
   * node, within the call's `timeout` and `retries`, so one slow node cannot eat the whole deadline.
   * Ignored for calls that are not idempotent (cutting one short would only fail it early). Default: the client's.
   */
  attemptTimeout?: number;
  /** Consistent-hash key from the request or metadata; `select.key` wins when both are set. Default: the client's `hashKey`. */
  hashKey?: HashKey;
}

/** The caller's side of a stream call (server, client or bidi). Iterating yields the responses. */
export interface Stream<Req, Res> extends AsyncIterable<Res> {
  /** Sends one request; waits while the server has granted no flow-control credit. */
  send(m: Req): Promise<void>;
  /** Half-closes: the server's request iterator ends; responses keep coming. */
  closeSend(): Promise<void>;
  /** Cancels the call; the server's handler sees `ctx.signal` abort. */
  close(): Promise<void>;
}

/** Options of `publish`. */
export interface PublishOptions {
  metadata?: Metadata;
  /** Default: the client's `contentType`. */
  contentType?: string;
  /**
   * Compress the payload (1 KiB or more) and say so in the `Micro-Encoding` header, which tsmicro
   * subscribers honour. A subscriber cannot tell the publisher what it accepts: leave it `identity`
   * when stock (non-tsmicro) subscribers read the topic. Default: the client's `compression.publish`.
   */
  compression?: Encoding | 'identity';
}

/**
 * What a client wrapper wraps: a call, a stream open or a publish, taking its request and options
 * and promising the answer.
 */
export type ClientFunc<Req, Res, O = CallOptions> = (req: Req, o: O) => Promise<Res>;
/**
 * The client's one wrapper shape, for calls, streams and publishes alike: `(next) => (req, o) => promise`,
 * the first listed outermost. Nothing needs marking for speed: when a wrapper hands back the promise
 * `next` gave it, the client knows any rejection is a `MicroError` already and passes the promise on as
 * it is; any other promise is converted (what it rejects with reaches the caller as a `MicroError`).
 * A synchronous throw is converted too.
 * @example const counted: CallWrapper = (next) => (req, o) => { count(req.endpoint); return next(req, o) }
 */
export type ClientWrapper<Req, Res, O = CallOptions> = (next: ClientFunc<Req, Res, O>) => ClientFunc<Req, Res, O>;

/** A unary call as call wrappers see it. */
export interface CallRequest {
  readonly service: string;
  readonly endpoint: string;
  readonly body: unknown;
}
/** A unary call as wrappers see it, promising the decoded response. */
export type CallFunc = ClientFunc<CallRequest, unknown>;
/** Middleware around every `call` (around its retries): a {@link ClientWrapper}. */
export type CallWrapper = ClientWrapper<CallRequest, unknown>;
/** A stream open as stream wrappers see it. */
export interface StreamRequest {
  readonly service: string;
  readonly endpoint: string;
}
/** A stream open as wrappers see it, promising the open stream. */
export type StreamFunc = ClientFunc<StreamRequest, Stream<unknown, unknown>>;
/** Middleware around every `stream` open: a {@link ClientWrapper}. */
export type StreamWrapper = ClientWrapper<StreamRequest, Stream<unknown, unknown>>;
/** A publish as publish wrappers see it; its options come as the wrapper's second argument. */
export interface PublishRequest {
  readonly topic: string;
  readonly payload: unknown;
  /**
   * The publish's options as the caller gave them.
   * @deprecated Read the options from the second argument (`(req, o) => …`), which later wrappers may have changed; kept for wrappers written as `(req) => next(req)`.
   */
  readonly options: PublishOptions;
}
/** A publish as wrappers see it. */
export type PublishFunc = ClientFunc<PublishRequest, void, PublishOptions>;
/** Middleware around every `publish`: a {@link ClientWrapper}, its options `PublishOptions`. */
export type PublishWrapper = ClientWrapper<PublishRequest, void, PublishOptions>;

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Default: a fresh `memoryTransport()` (give the server's transport; the service package does). */
  transport?: Transport;
  /** Picks nodes. Default: `createSelector({ registry })` when `registry` is given, else none (calls need `address`). */
  selector?: Selector;
  /** Used to build the default selector and to learn endpoint kinds for the typed proxy. Default: none. */
  registry?: Registry;
  /** For `publish`. Default: none (`publish` fails). */
  broker?: Broker;
  /** Default json, msgpack, bytes. */
  codecs?: readonly Codec[];
  /** Request encoding. Default `'application/json'`. */
  contentType?: string;
  /** Ms per unary call. Default 5000. */
  timeout?: number;
  /** Extra attempts on other nodes for retry-safe errors. Default 1. */
  retries?: number;
  /** Ms one attempt of an idempotent call may take before it moves to another node (see {@link CallOptions.attemptTimeout}). Default: none. */
  attemptTimeout?: number;
  /** Delay before each retry (exponential, full jitter), or a function of the retry number (1, 2…). Default `{ base: 25, factor: 2, cap: 1000 }`. */
  backoff?: BackoffOptions | ((retry: number) => number);
  /** Client-wide cap on retries: a share of recent calls (see `retryBudget`), an instance, or `false` for none. Default `{}` (20% + 10/s). */
  retryBudget?: RetryBudgetOptions | RetryBudget | false;
  /**
   * Endpoints whose calls are safe to repeat (any failure is retried, hedging allowed): `'Greeter.hello'`,
   * `'Greeter.*'`, `'*'`, or `'service/Greeter.hello'` for one service's. Default none.
   */
  idempotent?: readonly string[];
  /**
   * One circuit per node × endpoint (options or a shared instance); an open circuit fails the node fast
   * with a 503 and calls go to other nodes. `false` disables. Default `{}`, counting 5xx, 408 and
   * transport errors as failures (5 in a row, or half of 20+ calls in 10 s, open it for 5 s). A 429 is
   * no failure: its `retry after N ms` rests that node × endpoint for N ms (calls go to other nodes, or
   * fail at once with a 429 when none is left), so the server's pacing is honoured.
   */
  circuitBreaker?: CircuitBreakerOptions | CircuitBreaker | false;
  /** Per-service cap on concurrent calls and streams with a bounded queue; excess fails with a 429. Default: no cap. */
  bulkhead?: BulkheadOptions;
  /**
   * Per-node cap beside the per-service `bulkhead`: at most `maxConcurrent` calls and streams of this
   * client in flight on any one node. A full node is skipped (the call goes to another node, nothing
   * is sent to the full one); when every node is full the call fails at once with a 429 (queue in the
   * per-service `bulkhead` to wait instead). Calls with `address` skip selection and this cap. Default: no cap.
   * @example createClient({ registry, nodeBulkhead: { maxConcurrent: 32 }, bulkhead: { maxConcurrent: 256 } })
   */
  nodeBulkhead?: NodeBulkheadOptions;
  /** Consistent-hash key for every call (see {@link CallOptions.hashKey}). Default none. */
  hashKey?: HashKey;
  /**
   * Connections per node, at most. Default 2. Calls share the least busy connection; another is only
   * opened while every open one has 128 calls in flight (one connection batches many calls per write).
   */
  poolSize?: number;
  /** Ms to connect. Default 5000. */
  dialTimeout?: number;
  /** Ms an idle connection may stay silent before it is pinged (a dead one is dropped). Default 30 000; 0 disables. */
  pingInterval?: number;
  /**
   * Ms a connection with calls in flight may go without receiving anything before it is pinged, as
   * gRPC keepalive does: a frozen node (stopped process, hung host) keeps its socket open and never
   * answers. Default 250; 0 disables.
   */
  busyPingAfter?: number;
  /**
   * Ms a ping waits for its pong. A node that misses it is frozen: its calls fail with a 502 (outcome
   * unknown; idempotent ones are retried on other nodes), and it gets no calls (a fast 503, tried
   * elsewhere) until a dial in the background gets through. Default 1000. (New calls stop going to a
   * silent node long before: the selector passes it over; see `SelectorOptions.silence`.)
   */
  pingTimeout?: number;
  /**
   * Ms a call that is not idempotent waits for proof that its node is alive before its request is
   * written: a ping sent after the node was chosen must be answered (calls chosen together on one
   * connection share it). Without a pong in time the request was never written, so the call goes to
   * another node (a retry that is safe whatever the endpoint) and the node counts as failing. It costs
   * such calls one round trip; idempotent calls, calls with `address`, services with one node and
   * streams are not held. Default 250; `false` or 0 turns it off.
   */
  confirmAlive?: number | false;
  /**
   * Message compression: `encoding` for requests (default `identity`: none), `accept` (encodings the
   * client takes in responses; default all this Node has), `threshold` (default 1024 bytes),
   * `maxMessageSize` (a response may not decompress past it; default 4 MiB). A server is only sent an
   * encoding it said it accepts. @example createClient({ compression: { encoding: 'gzip' } })
   */
  compression?: ClientCompression;
  /** Bytes of responses a server may stream ahead per call before the client grants more, at first; grows while the reader waits for them, up to 4 MiB (docs/protocol.md, "Flow control"). Default 262144 (256 KiB). */
  streamWindow?: number;
  /** Default: silent. */
  logger?: Logger;
  /** Middleware. Default none. */
  wrappers?: { call?: CallWrapper[]; stream?: StreamWrapper[]; publish?: PublishWrapper[] };
}

/** Calls services (all four shapes) and publishes events. */
export interface Client {
  call<Res = unknown>(service: string, endpoint: string, req: unknown, o?: CallOptions): Promise<Res>;
  stream<Req = unknown, Res = unknown>(service: string, endpoint: string, o?: CallOptions): Promise<Stream<Req, Res>>;
  publish(topic: string, payload: unknown, o?: PublishOptions): Promise<void>;
  /** A typed proxy: `client.service<{ Greeter: typeof greeter }>('greeter').Greeter.hello({ name })`. */
  service<T>(name: string, o?: CallOptions): ServiceProxy<T>;
  /** Closes pooled connections and timers (and the selector the client built itself). The client stays usable: it reconnects on the next call. */
  close(): Promise<void>;
}
