import { connect, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { gunzipSync, inflateSync } from 'node:zlib';

/** What a hand-made HTTP/2 request got back. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  /** The gRPC messages of the body (length-prefix stripped, gzip or deflate inflated). */
  messages: Buffer[];
  body: Buffer;
}

/** gRPC length-prefixed framing of one uncompressed message. */
export function grpcFrame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + body.byteLength);
  out.writeUInt32BE(body.byteLength, 1);
  out.set(body, 5);
  return out;
}

/** One HTTP/2 request made by hand (no gRPC library): for `application/grpc+json`, bad content types, bad methods. */
export function rawRequest(hostPort: string, headers: OutgoingHttpHeaders, body: Buffer[] = []): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${hostPort}`);
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', te: 'trailers', ...headers });
    let rh: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => {
      rh = h;
    });
    req.on('trailers', (t) => {
      trailers = t;
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('close', () => {
      session.close();
      const all = Buffer.concat(chunks);
      const messages: Buffer[] = [];
      const grpc = String(rh['content-type'] ?? '').startsWith('application/grpc');
      const inflate = rh['grpc-encoding'] === 'deflate' ? inflateSync : gunzipSync;
      for (let at = 0; grpc && at + 5 <= all.length; ) {
        const n = all.readUInt32BE(at + 1);
        const m = all.subarray(at + 5, at + 5 + n);
        messages.push(all[at] === 1 ? inflate(m) : m);
        at += 5 + n;
      }
      resolve({ status: Number(rh[':status']), headers: rh, trailers: { ...rh, ...trailers }, messages, body: all });
    });
    for (const b of body) req.write(b);
    req.end();
  });
}

/** A unary `application/grpc+json` call made by hand: the one JSON answer, or the status trailers. */
export async function jsonCall(hostPort: string, path: string, req: unknown, headers: OutgoingHttpHeaders = {}) {
  const a = await rawRequest(hostPort, { ':path': path, 'content-type': 'application/grpc+json', ...headers }, [
    grpcFrame(Buffer.from(JSON.stringify(req))),
  ]);
  return {
    ...a,
    grpcStatus: Number(a.trailers['grpc-status']),
    grpcMessage: decodeURIComponent(String(a.trailers['grpc-message'] ?? '')),
    values: a.messages.map((m) => JSON.parse(m.toString()) as unknown),
  };
}
