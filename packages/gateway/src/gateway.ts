import type { Broker } from '@tsmicro/broker';
import type { Client, ClientOptions } from '@tsmicro/client';
import type { Logger } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';

/** Client settings the gateway's own client takes (it sets registry, broker and codecs itself). */
export type GatewayClientOptions = Omit<ClientOptions, 'registry' | 'broker' | 'codecs' | 'contentType'>;

/** Cross-origin requests from browsers. */
export interface GatewayCorsOptions {
  /** Allowed origins: a list, or `'*'`. Required. */
  origin: string | readonly string[];
  /** Extra request headers browsers may send. Default: `content-type`, `authorization`, `x-request-id`, `x-timeout`, `grpc-timeout`. */
  allowHeaders?: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true`. Default false. */
  credentials?: boolean;
  /** Seconds a browser may cache a preflight answer. Default 600. */
  maxAge?: number;
}

/** A token bucket per client address: `rps` requests per second, bursts up to `burst`. */
export interface GatewayRateLimitOptions {
  /** Requests per second per client. Required. */
  rps: number;
  /** Bucket size: requests a client may send at once (1 or more). Default `rps`, at least 1. */
  burst?: number;
  /** Clients tracked at once (the least recently seen are forgotten). Default 10_000. */
  maxClients?: number;
}

/**
 * Options of {@link createGateway}. Only `registry` is required.
 * @example createGateway({ registry: mdnsRegistry(), allow: ['greeter'], cors: { origin: '*' } })
 */
export interface GatewayOptions {
  /** Where services are found (the same registry the services register in). Required. */
  registry: Registry;
  /** For `POST /events/{topic}` and the dashboard's topic tail. Default none (those routes answer 503). */
  broker?: Broker;
  /**
   * Options of the gateway's own client (timeout, retries, selector, transport, wrappers…), or a ready
   * {@link Client} to share (`close()` leaves it open). The gateway's own client passes JSON bytes
   * through untouched; a ready one does when its codecs include `gatewayCodec`, and otherwise parses
   * each request and serialises each reply once more (same answers, more CPU). A ready client must
   * speak JSON and find services in this registry. Default: the gateway's own, on a tcp transport.
   * @example createGateway({ registry, client: createClient({ registry, transport: tcpTransport(), codecs: [...defaultCodecs, gatewayCodec] }) })
   */
  client?: GatewayClientOptions | Client;
  /** Serve the web dashboard at `/` and its per-node `Debug.health`/`Debug.stats` routes (which obey `allow`/`deny`: a 404 unless `Debug.*` is allowed). Default true. */
  dashboard?: boolean;
  /** Expose `POST /events/{topic}` (publish) and `GET /events/{topic}` (tail as server-sent events). Default false. */
  publish?: boolean;
  /** Largest request body, after decompression, in bytes; larger answers 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Cap in ms on the deadline a caller asks for with `x-timeout` / `grpc-timeout` (and on streams). Default 60_000. */
  maxTimeoutMs?: number;
  /**
   * Services and endpoints exposed: `'greeter'`, `'greeter/Greeter.*'`, `'*\/Greeter.hello'`. Default `['*']`.
   * `Debug.*` endpoints stay hidden unless a pattern names `Debug` explicitly (`'greeter/Debug.*'`).
   */
  allow?: readonly string[];
  /** Services and endpoints refused (404, as if absent), same patterns; wins over `allow`. Default `[]`. */
  deny?: readonly string[];
  /** Request headers passed to services as call metadata (lower case). Default `['authorization', 'x-request-id', 'traceparent', 'tracestate']`. */
  metadataHeaders?: readonly string[];
  /** CORS answers for browsers on other origins. Default: none (same origin only). */
  cors?: GatewayCorsOptions;
  /** Per-client request rate limit (429 with `Retry-After`), keyed on the client's address (see `trustProxy`). Default: none. */
  rateLimit?: GatewayRateLimitOptions;
  /**
   * Proxies in front of the gateway whose `X-Forwarded-For` is believed when telling clients apart:
   * a number of hops (`1`: one proxy, the header's last entry is the client), or the proxies'
   * addresses and CIDR blocks (`['10.0.0.0/8']`: entries are read from the right while they are in
   * the list). Default: none, the header is ignored and the socket's peer is the client (anyone can
   * send the header, so believing it unasked would let a caller pick its own rate-limit bucket).
   */
  trustProxy?: number | readonly string[];
  /** Compress responses larger than this many bytes when the caller accepts gzip, br or deflate. Default 1024; `false` disables. */
  compressAbove?: number | false;
  /** Ms a client may take to send its request headers; a slower one is cut with a 408. Default 10_000. */
  headersTimeoutMs?: number;
  /** Ms a client may take to send its whole request (headers and body); a slower one is cut. Default 30_000. */
  requestTimeoutMs?: number;
  /** Default: silent. */
  logger?: Logger;
}

/** Where a started gateway listens. */
export interface GatewayAddress {
  /** `http://host:port`. */
  url: string;
  port: number;
}

/** An HTTP gateway in front of the services of one registry. */
export interface Gateway {
  /** Starts the HTTP server. Default host `127.0.0.1` (loopback only: pass `'0.0.0.0'` to expose it), port 0 (a free one). */
  listen(o?: { port?: number; host?: string }): Promise<GatewayAddress>;
  /** Stops the server, open streams, registry watches, topic tails and the client; leaves nothing running. */
  close(): Promise<void>;
  /** The fetch handler: answers one request (usable without `listen`, e.g. in tests or another server). */
  fetch(req: Request): Promise<Response>;
}
