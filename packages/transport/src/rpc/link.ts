import { isMicroError, type MicroError } from '@tsmicro/core';
import type { Message, Socket } from '../transport.js';
import {
  ACCEPT_ENCODING,
  ASYNC_FROM,
  compressBody,
  DEFAULT_THRESHOLD,
  decompressBody,
  decompressBodyAsync,
  ENCODING,
  type Encoding,
  JSON_RATIO,
  parseAccept,
  SUPPORTED,
} from './compression.js';
import { H } from './headers.js';

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
  /**
   * Bodies of this many bytes or more are compressed on zlib's thread pool, and compressed bodies
   * of an eighth of it or more decompressed there, so the event loop keeps serving other calls
   * meanwhile; smaller ones in the caller's turn, where the thread hop would cost more than it frees.
   * `0`: always on the pool; `Infinity`: never. Default 128 KiB (`pnpm bench ZIP` shows both sides).
   */
  asyncFrom?: number;
}

/** What the mux hands a received frame to, once its body is plain. */
export interface Inbound {
  dispatch(m: Message, id: string, kind: string | undefined): void;
  /** The body did not decompress: fail that call with `e` (the connection stays up). */
  refuse(e: MicroError, id: string, kind: string | undefined): void;
  /** True once the connection closed: a late decompression is dropped. */
  closed(): boolean;
}

/** The message layer under a mux: negotiation, compression and decompression, in order per call. */
export interface Link {
  /** The encoding calls use unless they say otherwise. */
  readonly encoding: Encoding | 'identity';
  /** Sends as it is; the first frame on the connection also tells the peer what this side accepts. */
  send(m: Message): Promise<void>;
  /** Sends, compressing the body with `encoding` when the peer accepts it and it pays. */
  write(m: Message, encoding?: Encoding | 'identity'): Promise<void>;
  /** Takes a received frame: learns what the peer accepts, decompresses, then hands it on. */
  receive(m: Message, id: string, kind: string | undefined, to: Inbound): void;
}

/**
 * Wraps `socket` for the mux. Bodies compressed or decompressed on the zlib pool (large ones) hold
 * back the later frames of their call only, so a call's frames keep their order.
 * @example const link = createLink(socket, { encoding: 'gzip' }); await link.write(message)
 */
export function createLink(socket: Socket, o: MuxCompression = {}): Link {
  const accept = o.accept ?? SUPPORTED;
  const encoding = o.encoding ?? 'identity';
  const threshold = o.threshold ?? DEFAULT_THRESHOLD;
  const maxDecoded = o.maxMessageSize ?? 4 * 1024 * 1024;
  const asyncFrom = o.asyncFrom ?? ASYNC_FROM;
  const asyncDecompressFrom = asyncFrom / JSON_RATIO;
  /** What the peer said it accepts; nothing is compressed before it said so. */
  let peerAccepts: readonly string[] = [];
  /** This side's accept list goes out once, on its first frame. */
  let announced = false;
  /** Calls with a frame being compressed, or decompressed, off the loop: their later frames wait for it. */
  const compressing = new Map<string, Promise<void>>();
  const inflating = new Map<string, Promise<void>>();

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

  const compressed = (m: Message, enc: Encoding, body: Uint8Array): Message => ({ header: { ...m.header, [ENCODING]: enc }, body });

  const encodeAndSend = (m: Message, enc: Encoding | 'identity'): Promise<void> => {
    if (enc === 'identity' || m.body.byteLength < threshold || !peerAccepts.includes(enc)) return send(m);
    const out = compressBody(enc, m.body, threshold, asyncFrom);
    if (out === undefined) return send(m);
    if (out instanceof Uint8Array) return send(compressed(m, enc, out));
    return chain(
      compressing,
      m.header[H.id] ?? '',
      out.then((c) => send(c === undefined ? m : compressed(m, enc, c))),
    );
  };

  const plain = (m: Message, id: string, kind: string | undefined, to: Inbound): Promise<void> | undefined => {
    const enc = m.header[ENCODING];
    if (enc === undefined) return void to.dispatch(m, id, kind);
    const fail = (e: unknown) => to.refuse(isMicroError(e) ? e : (e as MicroError), id, kind);
    if (m.body.byteLength >= asyncDecompressFrom)
      return decompressBodyAsync(enc, m.body, maxDecoded, accept).then((body) => {
        if (!to.closed()) to.dispatch({ header: m.header, body }, id, kind);
      }, fail);
    let body: Uint8Array;
    try {
      body = decompressBody(enc, m.body, maxDecoded, accept);
    } catch (e) {
      return void fail(e);
    }
    return void to.dispatch({ header: m.header, body }, id, kind);
  };

  return {
    encoding,
    send,
    write(m, enc = encoding) {
      if (compressing.size !== 0) {
        const id = m.header[H.id] ?? '';
        const before = compressing.get(id);
        if (before)
          return chain(
            compressing,
            id,
            before.then(() => encodeAndSend(m, enc)),
          );
      }
      return encodeAndSend(m, enc);
    },
    receive(m, id, kind, to) {
      const peerAccept = m.header[ACCEPT_ENCODING];
      if (peerAccept !== undefined) peerAccepts = parseAccept(peerAccept);
      if (inflating.size !== 0) {
        const before = inflating.get(id);
        if (before) {
          void chain(
            inflating,
            id,
            before.then(() => plain(m, id, kind, to)),
          );
          return;
        }
      }
      const later = plain(m, id, kind, to);
      if (later) void chain(inflating, id, later);
    },
  };
}
