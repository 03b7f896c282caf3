import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { badRequest, payloadTooLarge } from '@tsmicro/core';
import { GATEWAY_ID } from './http-error.js';
import { type HeaderBag, header } from './request-headers.js';

const decoders = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
} as const;
type Encoding = keyof typeof decoders;

const tooLarge = (limit: number, what: string) =>
  payloadTooLarge(`request body ${what} is larger than the gateway's limit of ${limit} bytes`, { id: GATEWAY_ID });

/** Reads at most `limit` bytes of a body stream; one byte more is a 413 (the rest is never buffered). */
async function readLimited(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.byteLength;
      if (size > limit) throw tooLarge(limit, '');
      chunks.push(r.value);
    }
  } finally {
    reader.releaseLock();
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

async function decompress(data: Uint8Array, encoding: Encoding, limit: number): Promise<Uint8Array> {
  try {
    // maxOutputLength stops inflating at the limit: a zip bomb costs `limit` bytes, not its full size.
    return await decoders[encoding](data, { maxOutputLength: limit });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit, 'once decompressed');
    throw badRequest(`request body is not valid ${encoding} data: ${(e as Error).message}`, { id: GATEWAY_ID });
  }
}

/**
 * A body straight from node's stream, in the buffer it arrived in (the usual single chunk is not
 * copied; the fetch `arrayBuffer()` copies it into a fresh ArrayBuffer). A declared length is
 * enforced by the HTTP parser; a chunked body is counted as it arrives and refused with a 413 one
 * byte past `limit` (the rest is left to flow past, unbuffered).
 */
function readIncoming(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  if (incoming.readableEnded) return Promise.reject(badRequest('the request body was already read', { id: GATEWAY_ID }));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        off();
        reject(tooLarge(limit, ''));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      off();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => {
      off();
      reject(badRequest(`the request body could not be read: ${e.message}`, { id: GATEWAY_ID }));
    };
    const onClose = () => {
      if (!incoming.readableEnded) onError(new Error('the connection closed before the body ended'));
    };
    const off = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/**
 * The request body as bytes, at most `limit` bytes after decompression (`Content-Encoding` gzip,
 * deflate or br; identity otherwise), read from node's `incoming` when the request came over a
 * socket, else from the fetch `req`. A declared `Content-Length` over the limit is refused before
 * reading; an unknown encoding is a 400 naming the ones accepted.
 * @example const bytes = await readBody(undefined, incoming.headers, 1 << 20, incoming)
 */
export async function readBody(req: Request | undefined, h: HeaderBag, limit: number, incoming?: IncomingMessage): Promise<Uint8Array> {
  const length = header(h, 'content-length');
  const declared = Number(length ?? 0);
  const enc = (header(h, 'content-encoding') ?? 'identity').trim().toLowerCase();
  if (enc !== 'identity' && !(enc in decoders)) {
    throw badRequest(`Content-Encoding '${enc}' is not supported; send gzip, deflate, br or none`, { id: GATEWAY_ID });
  }
  if (declared > limit) throw tooLarge(limit, `(Content-Length ${declared})`);
  let raw: Uint8Array;
  if (incoming) raw = await readIncoming(incoming, limit);
  // Without a socket (gw.fetch): a declared length can be read whole, a chunked body is counted as it streams in.
  else if (length !== undefined && req) raw = new Uint8Array(await req.arrayBuffer());
  else raw = req?.body ? await readLimited(req.body, limit) : new Uint8Array(0);
  return enc === 'identity' ? raw : decompress(raw, enc as Encoding, limit);
}
