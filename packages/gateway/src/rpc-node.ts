import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import type { GatewayDeps } from './deps.js';
import { cachedKind } from './endpoint-kind.js';
import { errorReply } from './http-error.js';
import { callSetup, unaryAnswer } from './rpc-route.js';

/**
 * Whether a call can be answered on node's own request and response: a unary endpoint the registry
 * cache already holds. Anything else (a stream, a service not looked up yet, an unknown endpoint)
 * goes the fetch way, through rpcRoute, which answers it the same.
 */
export function answersOnNode(d: GatewayDeps, service: string, endpoint: string): boolean {
  return cachedKind(d.registry, service, endpoint) === 'unary';
}

/** Bodies up to this size leave as one string with the headers; larger ones as their own buffer, uncopied. */
const JOIN_MAX = 16 * 1024;

/**
 * Headers and the whole body in one socket write, with Content-Length (no chunked encoding). Node
 * joins a string body to the header block and writes once; a buffer body goes out beside it as a
 * writev of two chunks, so a small one is passed as its latin1 string: byte for byte the same.
 */
function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Uint8Array | string): void {
  if (typeof body === 'string') {
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(status, headers);
    res.end(body);
    return;
  }
  headers['content-length'] = String(body.byteLength);
  res.writeHead(status, headers);
  if (body.byteLength > JOIN_MAX) res.end(body);
  else res.end((Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)).toString('latin1'), 'latin1');
}

/** The path matched serve-http's RPC_PATH: the shape rpcRoute checks, so callSetup does not check it again. */
async function answer(d: GatewayDeps, req: IncomingMessage, service: string, endpoint: string) {
  const h = req.headers;
  const setup = callSetup(d, h, service, endpoint, req);
  const body = await readBody(undefined, h, d.o.maxBodyBytes, req);
  return unaryAnswer(d, service, endpoint, body, h, setup, d.callerGone(undefined, req));
}

/**
 * `POST /{service}/{Handler.method}` of a unary endpoint (see {@link answersOnNode}), answered on
 * node's request and response: the same checks, call and answer as rpcRoute, without the fetch
 * `Request`/`Response` pair and @hono/node-server's promise chain and close handler around them
 * (about a tenth of the gateway's instructions per call).
 */
export function unaryOnNode(d: GatewayDeps, req: IncomingMessage, res: ServerResponse, service: string, endpoint: string): void {
  answer(d, req, service, endpoint).then(
    (a) => send(res, 200, a.headers, a.body),
    (e: unknown) => {
      const r = errorReply(e);
      send(res, r.status, r.headers, r.body);
    },
  );
}
