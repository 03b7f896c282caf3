import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { anyValue } from '@tsmicro/codec';
import { badRequest, type MicroError, payloadTooLarge, toMicroError } from '@tsmicro/core';

/** Message encodings this transport speaks (`grpc-encoding`), in the order it advertises them. */
export const ENCODINGS = ['identity', 'gzip', 'deflate'] as const;
export type GrpcEncoding = (typeof ENCODINGS)[number];
export const ACCEPT_ENCODING = ENCODINGS.join(',');
const EMPTY = Buffer.alloc(0);

/** True for an encoding this transport can read. */
export function isKnownEncoding(e: string): e is GrpcEncoding {
  return (ENCODINGS as readonly string[]).includes(e);
}

/** The first encoding of a `grpc-accept-encoding` list that this side would send with, given its own choice. */
export function responseEncoding(mine: GrpcEncoding, accepted: string | undefined): GrpcEncoding {
  return mine !== 'identity' && accepted !== undefined && accepted.includes(mine) ? mine : 'identity';
}

/** gRPC's `deflate` is zlib-wrapped deflate (RFC 1950), as grpc-js and grpc-go send it. */
function compress(body: Uint8Array, encoding: GrpcEncoding): Uint8Array {
  if (encoding === 'gzip') return gzipSync(body);
  if (encoding === 'deflate') return deflateSync(body);
  return body;
}

/**
 * One gRPC length-prefixed message: flag byte (1 = compressed), 4-byte big-endian length, body.
 * Compressed unless `encoding` is identity.
 */
export function frameMessage(body: Uint8Array, encoding: GrpcEncoding, maxSize: number): Buffer {
  if (body.byteLength > maxSize) throw payloadTooLarge(`message of ${body.byteLength} bytes is larger than max (${maxSize})`);
  const data = compress(body, encoding);
  const out = Buffer.allocUnsafe(5 + data.byteLength);
  out[0] = encoding === 'identity' ? 0 : 1;
  out.writeUInt32BE(data.byteLength, 1);
  out.set(data, 5);
  return out;
}

/**
 * The frame of an outgoing message for a call's `send`, which reports every failure by rejecting and never
 * throws: an oversize message, or a protobuf `Any` that does not unpack, comes back as the rejected send
 * (the caller tells it by `instanceof Promise`, so the common path allocates nothing more than the frame).
 */
export function frameForSend(body: Uint8Array, unpackAny: boolean, encoding: GrpcEncoding, maxSize: number): Buffer | Promise<never> {
  try {
    return frameMessage(unpackAny ? anyValue(body) : body, encoding, maxSize);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Cuts gRPC length-prefixed messages out of HTTP/2 DATA chunks. A message announced larger than
 * `maxSize` is refused before it is buffered; a compressed one is inflated (bounded by `maxSize`).
 */
export class MessageParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = 5;
  private header: { compressed: boolean; length: number } | undefined;

  constructor(
    private readonly maxSize: number,
    private readonly encoding: GrpcEncoding,
  ) {}

  /** True while part of a message is buffered (an end of stream now cuts a message). */
  get partial(): boolean {
    return this.buffered > 0 || this.header !== undefined;
  }

  /**
   * {@link push} for a stream listener, where a throw would escape into node:http2: the error comes back
   * as a MicroError for the call's own error path (the caller tells it by `Array.isArray`).
   */
  tryPush(chunk: Buffer): Uint8Array[] | MicroError {
    try {
      return this.push(chunk);
    } catch (e) {
      return toMicroError(e);
    }
  }

  /** The messages completed by `chunk`; throws a MicroError (413 oversize, 400 malformed). */
  push(chunk: Buffer): Uint8Array[] {
    // The usual case, one whole uncompressed message in one DATA chunk, needs no buffering.
    if (this.buffered === 0 && !this.header && chunk.byteLength >= 5 && chunk[0] === 0 && chunk.readUInt32BE(1) === chunk.byteLength - 5) {
      if (chunk.byteLength - 5 > this.maxSize)
        throw payloadTooLarge(`received message larger than max (${chunk.byteLength - 5} vs. ${this.maxSize})`);
      return [chunk.subarray(5)];
    }
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    const out: Uint8Array[] = [];
    while (this.buffered >= this.need) {
      const bytes = this.take(this.need);
      if (!this.header) {
        const length = bytes.readUInt32BE(1);
        if (bytes[0] !== 0 && bytes[0] !== 1) throw badRequest(`malformed gRPC message: compression flag ${bytes[0]}`);
        if (length > this.maxSize) throw payloadTooLarge(`received message larger than max (${length} vs. ${this.maxSize})`);
        this.header = { compressed: bytes[0] === 1, length };
        this.need = length;
        if (length > 0) continue;
      }
      // A zero-length message (a proto3 message with every field at its default) has no bytes after its header.
      const body = this.need === 0 ? EMPTY : bytes;
      out.push(this.header.compressed ? this.inflate(body) : body);
      this.header = undefined;
      this.need = 5;
    }
    return out;
  }

  private inflate(data: Buffer): Uint8Array {
    if (this.encoding === 'identity') throw badRequest('compressed gRPC message without a grpc-encoding');
    try {
      const limit = { maxOutputLength: this.maxSize };
      return this.encoding === 'gzip' ? gunzipSync(data, limit) : inflateSync(data, limit);
    } catch (e) {
      const err: MicroError =
        (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
          ? payloadTooLarge(`received message larger than max (${this.maxSize}) once inflated`)
          : badRequest(`${this.encoding} message does not inflate: ${(e as Error).message}`);
      throw err;
    }
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0] as Buffer;
    let out: Buffer;
    if (first.byteLength >= n) {
      out = first.subarray(0, n);
      if (first.byteLength === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0] as Buffer;
        const k = Math.min(c.byteLength, n - at);
        c.copy(out, at, 0, k);
        at += k;
        if (k === c.byteLength) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    return out;
  }
}
