import { badRequest, ErrorCode, encodeError, isMicroError, type MicroError, serviceUnavailable } from '@tsmicro/core';
import type { Message, Socket } from '../transport.js';
import type { Encoding } from './compression.js';
import { Frame, H, INITIAL_WINDOW } from './headers.js';
import { createLink, type MuxCompression } from './link.js';
import { Channel, type RpcStream } from './stream.js';
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
  /** Closes the socket; calls in flight fail with a 503. */
  close(): Promise<void>;
}

const empty = new Uint8Array(0);

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
      send({ header: { [H.id]: id, [H.frame]: Frame.error, [H.error]: encodeError(e) }, body: empty }).catch(() => {});
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

  const onMessage = (m0: Message) => {
    const id = m0.header[H.id];
    const kind = m0.header[H.frame];
    if (id === undefined) {
      // No call can own a frame without an id, so no call can answer it: the peer does not speak the protocol.
      socket.close().catch(() => {});
      return;
    }
    link.receive(m0, id, kind, inbound);
  };

  const inbound = {
    dispatch: (m: Message, id: string, kind: string | undefined) => dispatch(m, id, kind),
    refuse(e: MicroError, id: string, kind: string | undefined) {
      if (kind === Frame.request)
        send({ header: { [H.id]: id, [H.frame]: Frame.error, [H.error]: encodeError(e) }, body: empty }).catch(() => {});
      else streams.get(id)?.refuse(e);
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
    const reason = serviceUnavailable(`connection to ${socket.remote} lost${err ? `: ${err.message}` : ''}`, { cause: err });
    for (const ch of [...streams.values()]) ch.terminate(reason);
    for (const p of pings.splice(0)) p(false);
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
          const i = pings.indexOf(done);
          if (i >= 0) pings.splice(i, 1);
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
    async close() {
      await socket.close();
      await closed;
    },
  };
}
