import * as zlib from 'node:zlib';
import { badRequest, isMicroError, type MicroError, payloadTooLarge } from '@tsmicro/core';

/**
 * Message compression (docs/protocol.md, "Compression"): which encodings this Node has, compressing
 * a body (in the caller's turn for small bodies, on the zlib thread pool for large ones) and
 * decompressing one, bounded by a size limit so a zip bomb costs at most that much memory.
 */

/** Encodings a tsmicro peer may use, as named in `Micro-Encoding` (HTTP's names). */
export type Encoding = 'gzip' | 'deflate' | 'br' | 'zstd';

/** Header: the encoding of this frame's body. Absent: the body is not compressed. */
export const ENCODING = 'Micro-Encoding';
/** Header: the encodings the sender of this frame accepts, comma-separated, most preferred first. */
export const ACCEPT_ENCODING = 'Micro-Accept-Encoding';

type ZstdZlib = {
  zstdCompressSync?: (b: Uint8Array, o?: object) => Buffer;
  zstdDecompressSync?: (b: Uint8Array, o?: object) => Buffer;
  zstdCompress?: (b: Uint8Array, cb: (e: Error | null, r: Buffer) => void) => void;
};
const z = zlib as typeof zlib & ZstdZlib;

/** True when this Node has zstd in node:zlib (Node 22.15+ / 23.8+; Node 20 has not). */
export const hasZstd = typeof z.zstdCompressSync === 'function' && typeof z.zstdDecompressSync === 'function';

/** Every encoding this process can read and write, best ratio for JSON first. */
export const SUPPORTED: readonly Encoding[] = hasZstd ? ['zstd', 'br', 'gzip', 'deflate'] : ['br', 'gzip', 'deflate'];

/** Bodies below this many bytes are sent as they are: compressing them costs more than it saves. */
export const DEFAULT_THRESHOLD = 1024;
/**
 * Bodies from this size on are compressed on the zlib thread pool instead of in the caller's turn
 * (`asyncFrom`; `pnpm bench ZIP` measures both sides of it, bench/RESULTS.md).
 */
export const ASYNC_FROM = 128 * 1024;

const BR = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };

function compressSync(enc: Encoding, b: Uint8Array): Buffer {
  switch (enc) {
    case 'gzip':
      return zlib.gzipSync(b, { level: 6 });
    case 'deflate':
      return zlib.deflateSync(b, { level: 6 });
    case 'br':
      return zlib.brotliCompressSync(b, BR);
    case 'zstd':
      return (z.zstdCompressSync as NonNullable<ZstdZlib['zstdCompressSync']>)(b);
  }
}

function compressAsync(enc: Encoding, b: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (e: Error | null, r: Buffer) => (e ? reject(e) : resolve(r));
    if (enc === 'gzip') zlib.gzip(b, { level: 6 }, done);
    else if (enc === 'deflate') zlib.deflate(b, { level: 6 }, done);
    else if (enc === 'br') zlib.brotliCompress(b, BR, done);
    else (z.zstdCompress as NonNullable<ZstdZlib['zstdCompress']>)(b, done);
  });
}

/**
 * Compresses `body` with `enc` when that pays: returns the compressed bytes, or undefined when the
 * body is below `threshold` or would not shrink (then it goes as it is, without `Micro-Encoding`).
 * Bodies of `asyncFrom` bytes or more are compressed off the event loop (a promise); others in this turn.
 * @example const out = compressBody('gzip', body, 1024) // Buffer | undefined | Promise<…>
 */
export function compressBody(
  enc: Encoding,
  body: Uint8Array,
  threshold: number,
  asyncFrom: number = ASYNC_FROM,
): Uint8Array | undefined | Promise<Uint8Array | undefined> {
  if (body.byteLength < threshold) return undefined;
  const smaller = (c: Buffer) => (c.byteLength < body.byteLength ? c : undefined);
  if (body.byteLength >= asyncFrom) return compressAsync(enc, body).then(smaller);
  return smaller(compressSync(enc, body));
}

/**
 * Decompresses a body sent with `Micro-Encoding: enc`, never producing more than `max` bytes.
 * Throws a 413 MicroError past `max` (a zip bomb stops there), a 400 for an encoding this side does
 * not accept or bytes that do not decode.
 */
export function decompressBody(enc: string, body: Uint8Array, max: number, accepted: readonly Encoding[] = SUPPORTED): Uint8Array {
  if (!(accepted as readonly string[]).includes(enc))
    throw badRequest(
      `unsupported ${ENCODING} '${enc}': this side accepts ${accepted.join(', ') || 'no compression'}; send the body uncompressed`,
    );
  const o = { maxOutputLength: Math.max(1, max) };
  try {
    switch (enc as Encoding) {
      case 'gzip':
        return zlib.gunzipSync(body, o);
      case 'deflate':
        return zlib.inflateSync(body, o);
      case 'br':
        return zlib.brotliDecompressSync(body, o);
      case 'zstd':
        return (z.zstdDecompressSync as NonNullable<ZstdZlib['zstdDecompressSync']>)(body, o);
    }
  } catch (e) {
    throw decodeFailure(enc, e, max);
  }
}

/**
 * {@link decompressBody} on the zlib thread pool, for large bodies: the event loop keeps serving
 * other calls meanwhile. Same limits and errors.
 */
export function decompressBodyAsync(
  enc: string,
  body: Uint8Array,
  max: number,
  accepted: readonly Encoding[] = SUPPORTED,
): Promise<Uint8Array> {
  if (!(accepted as readonly string[]).includes(enc)) return Promise.resolve().then(() => decompressBody(enc, body, max, accepted));
  const o = { maxOutputLength: Math.max(1, max) };
  return new Promise((resolve, reject) => {
    const done = (e: Error | null, r: Buffer) => (e ? reject(decodeFailure(enc, e, max)) : resolve(r));
    if (enc === 'gzip') zlib.gunzip(body, o, done);
    else if (enc === 'deflate') zlib.inflate(body, o, done);
    else if (enc === 'br') zlib.brotliDecompress(body, o, done);
    else (z as unknown as { zstdDecompress: (b: Uint8Array, o: object, cb: typeof done) => void }).zstdDecompress(body, o, done);
  });
}

/**
 * JSON shrinks about this many times: a compressed body of `asyncFrom / JSON_RATIO` bytes or more is
 * decompressed on the zlib thread pool, as it expands to about `asyncFrom` bytes.
 */
export const JSON_RATIO = 8;

function decodeFailure(enc: string, e: unknown, max: number): MicroError {
  if (isMicroError(e)) return e;
  const code = (e as { code?: string }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE' || (e instanceof RangeError && /larger than|maxOutputLength/i.test(e.message)))
    return payloadTooLarge(`a ${enc} body decompresses to more than maxMessageSize (${max} bytes): refused`);
  return badRequest(`a ${enc} body does not decode: ${(e as Error).message}`);
}

/** The encodings named in an accept list that this side can write, in the list's order. */
export function parseAccept(list: string | undefined): Encoding[] {
  if (!list) return [];
  const out: Encoding[] = [];
  for (const part of list.split(',')) {
    const e = part.trim().toLowerCase();
    if ((SUPPORTED as readonly string[]).includes(e)) out.push(e as Encoding);
  }
  return out;
}

/** Checks a configured encoding: one this Node has, or a clear 400 naming what it has. */
export function checkEncoding(enc: string): Encoding {
  if ((SUPPORTED as readonly string[]).includes(enc)) return enc as Encoding;
  const why = enc === 'zstd' ? ` (zstd needs Node 22.15+; this is ${process.version})` : '';
  throw badRequest(`unknown compression '${enc}'${why}: use one of ${SUPPORTED.join(', ')} or 'identity'`);
}
