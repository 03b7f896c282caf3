import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';

/**
 * Headers that belong to HTTP/2 or to the gRPC protocol, never user metadata. Everything else,
 * `-bin` keys included (their value stays the base64 text of the wire), is metadata both ways.
 */
const RESERVED = new Set(['content-type', 'te', 'user-agent', 'accept-encoding', 'content-length', 'host', 'connection']);

/**
 * Request header a tsmicro client adds to a unary call that no schema describes (`application/grpc+json`…):
 * the server then hands the request on as soon as its message is in, instead of waiting for the end of stream.
 */
export const UNARY_HINT = 'micro-unary';

function isReserved(k: string): boolean {
  return k.charCodeAt(0) === 58 /* ':' */ || k.startsWith('grpc-') || k.startsWith('micro-') || RESERVED.has(k);
}

/** Copies the metadata of gRPC request headers into a tsmicro header (lower-case keys, as they arrive). */
export function readGrpcMetadata(headers: IncomingHttpHeaders, into: Record<string, string>): void {
  for (const k in headers) {
    if (isReserved(k)) continue;
    const v = headers[k];
    if (v === undefined) continue;
    into[k] = Array.isArray(v) ? v.join(',') : v;
  }
}

/** Copies the user metadata of a tsmicro header (lower-case keys) into outgoing gRPC headers. */
export function writeGrpcMetadata(header: Readonly<Record<string, string>>, into: OutgoingHttpHeaders): void {
  for (const k in header) {
    const c = k.charCodeAt(0);
    if ((c >= 65 && c <= 90) || isReserved(k)) continue;
    into[k] = header[k];
  }
}
