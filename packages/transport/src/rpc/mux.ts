import { badRequest, ErrorCode, encodeError, isMicroError, type MicroError, serviceUnavailable } from '@tsmicro/core';
import type { Message, Socket } from '../transport.js';
import {
  ACCEPT_ENCODING,
  ASYNC_DECOMPRESS_FROM,
  compressBody,
  DEFAULT_THRESHOLD,
  decompressBody,
  decompressBodyAsync,
  ENCODING,
  type Encoding,
  parseAccept,
  SUPPORTED,
} from './compression.js';
import { Frame, H, INITIAL_WINDOW } from './headers.js';
import { Channel, type RpcStream } from './stream.js';
import { PendingUnary, type UnaryCall, type UnaryReceiver } from './unary.js';

/** Options of {@link createMux}. */
export interface MuxOptions {
  /** Server side: called for every call the peer opens. `unary` says the request body is the only message. */
  onRequest?: (s: RpcStream, request: Message, unary: boolean) => void;
  /** Bytes of messages the peer may send ahead on each stream before this end grants more. Default {@link INITIAL_WINDOW} (64 KiB). */
  window?: number;
  /** Message compression; default: accept every encoding this Node has, send none. */
  compression?: MuxCompression;
}

/** Compression settings of a mux (docs/protocol.md, "Compression"). */
export interface MuxCompression {
  /** Encoding for the bodies this side sends (when the peer accepts it); `identity`: none. Default `identity`. */
  encoding?: Encoding | 'identity';
  /** Encodings this side accepts, told to the peer. Default: all this Node has ({@link SUPPORTED}); `[]` accepts none. */
  accept?: readonly Encoding[];
  /** Bodies smaller than this many bytes go uncompressed. Default 1024. */
  threshold?: number;
  /** A compressed body may not decompress to more than this many bytes (413 past it). Default 4 MiB. */
  maxMessageSize?: number;
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
  const zc = o.compression ?? {};
  const accept = zc.accept ?? SUPPORTED;
  const defaultEncoding = zc.encoding ?? 'identity';
  const threshold = zc.threshold ?? DEFAULT_THRESHOLD;
  const maxDecoded = zc.maxMessageSize ?? 4 * 1024 * 1024;
  /** What the peer said it accepts; nothing is compressed before it said so. */
  let peerAccepts: readonly string[] = [];
  /** This side's accept list goes out once, on its first frame. */
  let announced = false;
  /** Calls whose previous message is still being compressed off the loop: later ones wait for it, in order. */
  const compressing = new Map<string, Promise<void>>();
  const send = (m: Message): Promise<void> => {
    // Streams send without an async wrapper: a socket that throws instead of rejecting must still reach them as a rejection.
    try {
      if (!announced) {
        announced = true;
        m = { header: { ...m.header, [ACCEPT_ENCODING]: accept.join(',') }, body: m.body };
      }
      return socket.send(m);
    } catch (e) {
      return Promise.reject(e);
    }
  };
  const write = (m: Message, enc: Encoding | 'identity' = defaultEncoding): Promise<void> => {
    const id = m.header[H.id] ?? '';
    if (compressing.size !== 0) {
      const before = compressing.get(id);
      if (before)
        return queued(
          id,
          before.then(() => write2(m, enc)),
        );
    }
    return write2(m, enc);
  };
  const write2 = (m: Message, enc: Encoding | 'identity'): Promise<void> => {
    if (enc === 'identity' || m.body.byteLength < threshold || !peerAccepts.includes(enc)) return send(m);
    const out = compressBody(enc, m.body, threshold);
    if (out === undefined) return send(m);
    if (out instanceof Uint8Array) return send({ header: { ...m.header, [ENCODING]: enc }, body: out });
    const id = m.header[H.id] ?? '';
    return queued(
      id,
      out.then((c) => send(c === undefined ? m : { header: { ...m.header, [ENCODING]: enc }, body: c })),
    );
  };
  /** Runs `p` as the latest step of call `id` in `chains`: later steps of that call wait for it. */
  const chain = (chains: Map<string, Promise<void>>, id: string, p: Promise<void>): Promise<void> => {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    chains.set(id, settled);
    void settled.then(() => {
      if (chains.get(id) === settled) chains.delete(id);
    });
    return p;
  };
  const queued = (id: string, p: Promise<void>): Promise<void> => chain(compressing, id, p);
  /** Calls whose earlier frame is being decompressed off the loop: their later frames wait for it. */
  const inflating = new Map<string, Promise<void>>();

  const host = {
    write,
    release: (id: string) => {
      streams.delete(id);
    },
  };

  /** A body that did not decompress: its call fails (400 or 413), the connection stays up. */
  const refuseBody = (e: unknown, id: string, kind: string | undefined): undefined => {
    const err = isMicroError(e) ? e : badRequest(String(e));
    if (kind === Frame.request)
      send({ header: { [H.id]: id, [H.frame]: Frame.error, [H.error]: encodeError(err) }, body: empty }).catch(() => {});
    else streams.get(id)?.refuse(err);
    return undefined;
  };

  /**
   * Handles a frame whose body may be compressed. Small bodies are decompressed at once; large ones
   * on the zlib pool, and the call's later frames wait for them (frames of other calls do not).
   */
  const receive = (m: Message, id: string, kind: string | undefined): Promise<void> | undefined => {
    const enc = m.header[ENCODING];
    if (enc === undefined) return dispatch(m, id, kind);
    if (m.body.byteLength >= ASYNC_DECOMPRESS_FROM)
      return decompressBodyAsync(enc, m.body, maxDecoded, accept).then(
        (body) => (isClosed ? undefined : dispatch({ header: m.header, body }, id, kind)),
        (e: unknown) => refuseBody(e, id, kind),
      );
    let body: Uint8Array;
    try {
      body = decompressBody(enc, m.body, maxDecoded, accept);
    } catch (e) {
      return refuseBody(e, id, kind);
    }
    return dispatch({ header: m.header, body }, id, kind);
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
    const peerAccept = m0.header[ACCEPT_ENCODING];
    if (peerAccept !== undefined) peerAccepts = parseAccept(peerAccept);
    if (inflating.size !== 0) {
      const before = inflating.get(id);
      if (before) {
        void chain(
          inflating,
          id,
          before.then(() => receive(m0, id, kind)),
        );
        return;
      }
    }
    const later = receive(m0, id, kind);
    if (later) void chain(inflating, id, later);
  };

  const dispatch = (m: Message, id: string, kind: string | undefined): undefined => {
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
