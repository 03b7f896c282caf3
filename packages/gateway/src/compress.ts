import { promisify } from 'node:util';
import { brotliCompress, constants, deflate, gzip } from 'node:zlib';

const encoders = {
  // Quality 4: most of brotli's gain at a small share of its default (11) cost, which is meant for static files.
  br: (b: Uint8Array) => promisify(brotliCompress)(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }),
  gzip: (b: Uint8Array) => promisify(gzip)(b),
  deflate: (b: Uint8Array) => promisify(deflate)(b),
} as const;
type Encoding = keyof typeof encoders;

/** The best encoding the caller accepts (`br` > `gzip` > `deflate`), honouring `q=0`; undefined for none. */
export function pickEncoding(acceptEncoding: string | null | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const accepted = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    if (params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))) continue;
    accepted.add(name.trim());
  }
  return (['br', 'gzip', 'deflate'] as const).find((e) => accepted.has(e) || accepted.has('*'));
}

/**
 * A complete body as sent: compressed when it is larger than `above` bytes and the caller accepts an
 * encoding. `headers` must be the caller's fresh object: `vary` (and `content-encoding`) are added
 * to it. Answers in the caller's turn (no promise) when nothing is compressed, the usual case.
 * @example const body = encodeReply(bytes, header(h, 'accept-encoding'), 1024, headers)
 */
export function encodeReply(
  body: Uint8Array,
  acceptEncoding: string | undefined,
  above: number,
  headers: Record<string, string>,
): Uint8Array | Promise<Uint8Array> {
  headers.vary = 'accept-encoding';
  const enc = body.byteLength > above ? pickEncoding(acceptEncoding) : undefined;
  if (!enc) return body;
  headers['content-encoding'] = enc;
  return encoders[enc](body);
}

/**
 * A complete body as a response (see {@link encodeReply}). Streams are never compressed here (each
 * message must reach the caller when sent).
 * @example return replyWith(bytes, header(h, 'accept-encoding'), 1024, { 'content-type': 'application/json' })
 */
export async function replyWith(
  body: Uint8Array,
  acceptEncoding: string | undefined,
  above: number,
  headers: Record<string, string>,
): Promise<Response> {
  return new Response(await encodeReply(body, acceptEncoding, above, headers), { headers });
}
