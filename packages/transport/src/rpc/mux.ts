import { badGateway, badRequest, ErrorCode, isMicroError, type MicroError, payloadTooLarge, serviceUnavailable } from '@tsmicro/core';
import type { Message, Socket } from '../transport.js';
import type { Encoding } from './compression.js';
import { Frame, H, INITIAL_WINDOW } from './headers.js';
import { createLink, type MuxCompression } from './link.js';
import { Channel, type RpcStream, refusal } from './stream.js';
import { PendingUnary, type UnaryCall, type UnaryReceiver } from './unary.js';

export type { MuxCompression };

/** Options of {@link createMux}. */
export interface MuxOptions {
  /** Server side: called for every call the peer opens. `unary` says the request body is the only message. */
  onRequest?: (s: RpcStream, request: Message, unary: boolean) => void;
  /** Bytes of messages the peer may send ahead on each stream before this end grants more. Default {@link INITIAL_WINDOW} (64 KiB). */
  window?: number;
  /** Message compression; default: accept every encoding this Node has, send none. */
  compression?: MuxCompression;
}

/** Options of {@link Mux.open}. */
export interface OpenOptions {
  /** The request message of a unary call; without it the call is a stream and messages follow with `send`. */
  body?: Uint8Array;
  /** This call's encoding for its messages, over the mux's. */
  encoding?: Encoding | 'identity';
}

/** Many concurrent calls over one {@link Socket}, told apart by `Micro-Id`. */
export interface Mux {
  readonly remote: string;
  /** Calls in flight. */
  readonly size: number;
  /** True once the socket closed; every call on it has failed. */
  readonly isClosed: boolean;
  /** Frames received so far (any kind, pongs included): unchanged between two looks means the peer said nothing. */
  readonly received: number;
  /** Settles when the socket closes (never rejects). */
  readonly closed: Promise<Error | undefined>;
  /**
   * Client: opens a call. `header` is a fresh object holding service, endpoint, content type, timeout and
   * metadata; the mux adds id and frame kind. `written` settles when the request frame is on the wire.
   */
  open(header: Record<string, string>, o?: OpenOptions): { stream: RpcStream; written: Promise<void> };
  /**
   * Client: opens a unary call, the cheap way: `body` is the request, and the answer (or the failure)
   * goes to `receiver`, possibly before this returns (a closed connection fails the call at once).
   * `header` as for {@link open}.
   */
  call(header: Record<string, string>, body: Uint8Array, receiver: UnaryReceiver, encoding?: Encoding | 'identity'): UnaryCall;
  /** Sends a ping; true when the pong arrives within `timeoutMs`. */
  ping(timeoutMs: number): Promise<boolean>;
  /**
   * Closes the socket. Calls in flight fail: with `reason` at once when given (a peer that stopped
   * answering may never finish the close), else when the socket has closed, with the 502 of a lost
   * connection (their outcome is unknown).
   */
  close(reason?: MicroError): Promise<void>;
}

const empty = new Uint8Array(0);

/** The place of a ping that timed out, left in the queue for its late pong. */
const LATE = (): void => {};

/**
 * Why a request could not be sent. A message refused before any byte was written (413) is the caller's
 * error, not the connection's: a 503 would send the same oversize request to every other node and count
 * this healthy one as failing.
 */
function sendError(e: unknown, remote: string): MicroError {
  if (isMicroError(e) && e.code === ErrorCode.PayloadTooLarge) return e;
  return serviceUnavailable(`cannot send to ${remote}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/**
 * Why the calls of a connection that closed failed. On the server nobody is left to tell; on the
 * client each call's request was written, so its outcome is unknown: a 502, never the 503 that
 * means "refused, safe to repeat".
 */
function lost(remote: string, err: Error | undefined, server: boolean): MicroError {
  const why = err ? `: ${err.message}` : '';
  if (server) return serviceUnavailable(`connection to ${remote} lost${why}`, { cause: err });
  return badGateway(`connection to ${remote} lost after the request was sent${why}; the handler may have run (outcome unknown)`, {
    cause: err,
  });
}

/**
 * Wraps a socket in the RPC protocol (docs/protocol.md, "## RPC").
 * @example const mux = createMux(await transport.dial(addr)); const { stream } = mux.open(header, { body })
 */
export function createMux(socket: Socket, o: MuxOptions = {}): Mux {
  const window = o.window ?? INITIAL_WINDOW;
  const streams = new Map<string, Channel | PendingUnary>();
  const pings: Array<(ok: boolean) => void> = [];
  let nextId = 1;
  let isClosed = false;
  const link = createLink(socket, o.compression);
  const { send, write } = link;
  const defaultEncoding = link.encoding;
  /** Client side: frames received so far, so a keepalive can tell a connection that went quiet. */
  let received = 0;
  const host = {
    write,
    release: (id: string) => {
      streams.delete(id);
    },
  };

  const onRequest = (m: Message, id: string) => {
    const handler = o.onRequest;
    if (!handler) return;
    if (streams.has(id)) {
      const e = badRequest(`protocol error: ${H.id} ${id} is already in use on this connection`);
      send({ header: refusal(id, e), body: empty }).catch(() => {});
      return;
    }
    const unary = m.header[H.stream] !== '1';
    const peerWindow = Number(m.header[H.window] ?? INITIAL_WINDOW);
    const sendCredit = Number.isInteger(peerWindow) && peerWindow > 0 ? peerWindow : INITIAL_WINDOW;
    const ch = new Channel(host, id, false, unary ? INITIAL_WINDOW : window, sendCredit, INITIAL_WINDOW, defaultEncoding);
    if (unary) ch.deliver(Frame.last, m);
    handler(ch, m, unary);
    // Entered only now: no frame of this call can arrive while the handler runs synchronously, and a
    // call answered in that run never enters the map (an insert and a delete per call make V8 rehash it
    // every few calls).
    if (!ch.isReleased) streams.set(id, ch);
  };

  /**
   * A message the transport refused for its size (body skipped unread): only its call fails, with a
   * 413; a request is refused before any handler sees it, so the caller may know it never ran.
   */
  const onOversize = (m: Message, id: string, kind: string | undefined) => {
    const size = m.header[H.oversize];
    if (kind === Frame.request) {
      if (!o.onRequest) return;
      const e = payloadTooLarge(
        `the request to ${m.header[H.endpoint] ?? '?'} is ${size} bytes, over the receiving server's maxMessageSize; it was refused unread`,
      );
      send({ header: refusal(id, e), body: empty }).catch(() => {});
      return;
    }
    const call = streams.get(id);
    if (!call) return;
    const what = o.onRequest ? 'a request message' : 'the response';
    const e = payloadTooLarge(`${what} of ${size} bytes is over this side's maxMessageSize; it was refused unread`);
    if (o.onRequest) (call as Channel).fail(e).catch(() => {});
    else call.cancel(e);
  };

  const onMessage = (m0: Message) => {
    received++;
    const id = m0.header[H.id];
    const kind = m0.header[H.frame];
    if (id === undefined) {
      // No call can own a frame without an id, so no call can answer it: the peer does not speak the protocol.
      socket.close().catch(() => {});
      return;
    }
    if (m0.header[H.oversize] !== undefined) return onOversize(m0, id, kind);
    link.receive(m0, id, kind, inbound);
  };

  const inbound = {
    dispatch: (m: Message, id: string, kind: string | undefined) => dispatch(m, id, kind),
    refuse(e: MicroError, id: string, kind: string | undefined) {
      // A request whose body cannot be read is refused before any handler ran: safe to retry elsewhere.
      if (kind === Frame.request) send({ header: refusal(id, e), body: empty }).catch(() => {});
      else streams.get(id)?.rejectInput(e);
    },
    closed: () => isClosed,
  };

  const dispatch = (m: Message, id: string, kind: string | undefined): void => {
    if (kind === Frame.request) {
      onRequest(m, id);
      return;
    }
    if (kind === Frame.ping) {
      send({ header: { [H.id]: '0', [H.frame]: Frame.pong }, body: empty }).catch(() => {});
      return;
    }
    if (kind === Frame.pong) {
      pings.shift()?.(true);
      return;
    }
    // Frames of calls already completed are dropped: they may cross a cancel or an error on the wire.
    streams.get(id)?.deliver(kind, m);
  };

  const terminateAll = (reason: MicroError) => {
    for (const ch of [...streams.values()]) ch.terminate(reason);
    for (const p of pings.splice(0)) p(false);
  };

  const closed = (async (): Promise<Error | undefined> => {
    let err: Error | undefined;
    try {
      for await (const m of socket) {
        onMessage(m);
        // The rest of a batch that arrived together is handled now, without a promise and a turn per message.
        if (socket.poll) for (let n = socket.poll(); n !== undefined; n = socket.poll()) onMessage(n);
      }
    } catch (e) {
      err = e instanceof Error ? e : new Error(String(e));
    }
    isClosed = true;
    terminateAll(lost(socket.remote, err, o.onRequest !== undefined));
    return err;
  })();

  return {
    remote: socket.remote,
    get size() {
      return streams.size;
    },
    get isClosed() {
      return isClosed;
    },
    get received() {
      return received;
    },
    closed,
    open(header, oo = {}) {
      const id = String(nextId++);
      const ch = new Channel(host, id, true, window, INITIAL_WINDOW, window, oo.encoding ?? defaultEncoding);
      header[H.id] = id;
      header[H.frame] = Frame.request;
      if (window !== INITIAL_WINDOW) header[H.window] = String(window);
      if (oo.body === undefined) header[H.stream] = '1';
      else ch.markLocalEnded();
      if (isClosed) {
        ch.terminate(serviceUnavailable(`connection to ${socket.remote} is closed`));
        return { stream: ch, written: Promise.reject(ch.signal.reason) };
      }
      streams.set(id, ch);
      const written = write({ header, body: oo.body ?? empty }, oo.encoding).catch((e: unknown) => {
        const err = sendError(e, socket.remote);
        ch.terminate(err);
        throw err;
      });
      return { stream: ch, written };
    },
    call(header, body, receiver, encoding) {
      const id = String(nextId++);
      const call = new PendingUnary(host, id, receiver);
      header[H.id] = id;
      header[H.frame] = Frame.request;
      if (isClosed) {
        call.markUnsent();
        call.terminate(serviceUnavailable(`connection to ${socket.remote} is closed`));
        return call;
      }
      streams.set(id, call);
      write({ header, body }, encoding).catch((e: unknown) => {
        call.markUnsent();
        call.terminate(sendError(e, socket.remote));
      });
      return call;
    },
    ping(timeoutMs) {
      if (isClosed) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const t = setTimeout(() => {
          // The entry keeps its place: pongs answer pings in order, so a late pong must be taken by
          // the ping it answers, never by a later one the peer has not answered yet.
          const i = pings.indexOf(done);
          if (i >= 0) pings[i] = LATE;
          resolve(false);
        }, timeoutMs);
        const done = (ok: boolean) => {
          clearTimeout(t);
          resolve(ok);
        };
        pings.push(done);
        send({ header: { [H.id]: '0', [H.frame]: Frame.ping }, body: empty }).catch(() => done(false));
      });
    },
    async close(reason) {
      if (reason && !isClosed) {
        isClosed = true;
        terminateAll(reason);
      }
      await socket.close();
      await closed;
    },
  };
}
