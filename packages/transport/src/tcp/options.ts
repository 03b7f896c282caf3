import type { SecureContextOptions } from 'node:tls';
import { type Logger, silentLogger } from '@tsmicro/core';

/** TLS settings used for both `listen` (server side) and `dial` (client side), as in `node:tls`. `unix:` addresses stay plain. */
export interface TcpTlsOptions extends SecureContextOptions {
  /** Server: ask clients for a certificate (mutual TLS). Default false. */
  requestCert?: boolean;
  /** Refuse peers whose certificate does not verify against `ca`. Default true. */
  rejectUnauthorized?: boolean;
  /** Client: the name to verify and send as SNI. Default: the dialed host. */
  servername?: string;
}

/** Options of {@link tcpTransport}. Every duration is in milliseconds. */
export interface TcpTransportOptions {
  /** Largest frame (headers + body) sent or accepted. Default 4 MiB. */
  maxMessageSize?: number;
  /** Dial timeout when a dial does not give one, covering connect, TLS and preface. Default 5000. */
  dialTimeout?: number;
  /** Time an accepted connection has to finish TLS and its preface. Default 10000. */
  handshakeTimeout?: number;
  /**
   * Progress timeout: while a frame or a large message is unfinished, the peer must send something
   * within every `frameTimeout` ms, and at least `minReceiveRate` bytes/s over it (or the rest of what
   * is unfinished). A slow link that keeps delivering is never cut, however long a message takes. Default 10000.
   */
  frameTimeout?: number;
  /** Slowloris guard with `frameTimeout`: the least a peer sending an unfinished frame must deliver, bytes per second. Default 1024. */
  minReceiveRate?: number;
  /** Idle time without receiving anything before a ping is sent; 0 disables keepalive. Default 30000. */
  keepaliveInterval?: number;
  /** Time to wait for any data after a ping before closing the socket as dead. Default 10000. */
  keepaliveTimeout?: number;
  /** Connections one listener holds at once; more are refused. Default 10000. */
  maxConnections?: number;
  /** Unread messages per socket before it stops reading from the network (backpressure). Default 256. */
  highWaterMessages?: number;
  /** Unread body bytes per socket before it stops reading. Default 8 MiB. */
  highWaterBytes?: number;
  /** Time a closing socket waits for its pending writes before it is destroyed. Default 2000. */
  closeTimeout?: number;
  /** TLS for listen and dial; mutual TLS with `requestCert` + `cert`/`key` on both sides. Default: plain TCP. */
  tls?: TcpTlsOptions;
  /** Where protocol errors are logged. Default: silent. */
  logger?: Logger;
  /**
   * How frames queued on one connection are gathered into one write. `'tick'` (default): everything
   * queued in one callback's run goes out at its end (`process.nextTick`), the least latency per call.
   * `'loop'`: frames wait for the event-loop iteration's check phase (`setImmediate`) and leave
   * together: one write per iteration where a process makes one call per incoming socket (the HTTP
   * gateway uses it), at the price of a loop phase per call.
   */
  coalesceWrites?: 'tick' | 'loop';
}

export type ResolvedOptions = Required<Omit<TcpTransportOptions, 'tls'>> & { tls: TcpTlsOptions | undefined };

export function resolveOptions(o: TcpTransportOptions = {}): ResolvedOptions {
  return {
    maxMessageSize: o.maxMessageSize ?? 4 * 1024 * 1024,
    dialTimeout: o.dialTimeout ?? 5000,
    handshakeTimeout: o.handshakeTimeout ?? 10_000,
    frameTimeout: o.frameTimeout ?? 10_000,
    minReceiveRate: o.minReceiveRate ?? 1024,
    keepaliveInterval: o.keepaliveInterval ?? 30_000,
    keepaliveTimeout: o.keepaliveTimeout ?? 10_000,
    maxConnections: o.maxConnections ?? 10_000,
    highWaterMessages: o.highWaterMessages ?? 256,
    highWaterBytes: o.highWaterBytes ?? 8 * 1024 * 1024,
    closeTimeout: o.closeTimeout ?? 2000,
    tls: o.tls,
    logger: o.logger ?? silentLogger(),
    coalesceWrites: o.coalesceWrites ?? 'tick',
  };
}
