import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { badRequest, payloadTooLarge } from '@tsmicro/core';
import { GATEWAY_ID } from './http-error.js';

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
 * The request body as bytes, at most `limit` bytes after decompression (`Content-Encoding` gzip,
 * deflate or br; identity otherwise). A declared `Content-Length` over the limit is refused before
 * reading; an unknown encoding is a 400 naming the ones accepted.
 * @example const bytes = await readBody(req, 1 << 20)
 */
export async function readBody(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  const enc = (req.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (enc !== 'identity' && !(enc in decoders)) {
    throw badRequest(`Content-Encoding '${enc}' is not supported; send gzip, deflate, br or none`, { id: GATEWAY_ID });
  }
  if (declared > limit) throw tooLarge(limit, `(Content-Length ${declared})`);
  // A declared length is enforced by the HTTP parser, so the body can be read whole (node-server's
  // fast path, no web stream); a chunked body is counted as it streams in.
  const raw = req.headers.has('content-length')
    ? new Uint8Array(await req.arrayBuffer())
    : req.body
      ? await readLimited(req.body, limit)
      : new Uint8Array(0);
  return enc === 'identity' ? raw : decompress(raw, enc as Encoding, limit);
}
