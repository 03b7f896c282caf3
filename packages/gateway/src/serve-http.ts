import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import type { GatewayDeps } from './deps.js';
import { errorResponse } from './http-error.js';
import { answersOnNode, unaryOnNode } from './rpc-node.js';
import { rpcRoute } from './rpc-route.js';

/** `/{service}/{Handler.method}` exactly, in the characters rpcRoute accepts; anything else (an encoded path, a query) goes through hono. */
const RPC_PATH = /^\/([\w.:-]{1,200})\/([A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*)$/;

/**
 * The socket's request listener. When no middleware (CORS, rate limit) runs before it,
 * `POST /{service}/{Handler.method}` skips hono: a unary call the registry cache knows is answered
 * on node's own request and response (rpc-node.ts), any other call goes straight to rpcRoute;
 * every other request goes through the hono app. The answer is the same either way; hono's
 * routing, context and promise chain were about 4 % of the gateway's CPU per call in a profile,
 * and @hono/node-server's Request, Response and close handler per request as much again.
 * `/events/…` stays hono's (publish, or its 404).
 */
export function serveHttp<E extends { Bindings: Partial<HttpBindings> }>(d: GatewayDeps, app: Hono<E>): RequestListener {
  // Over HTTP/1.1 (node:http) the bindings are always node's request and response.
  if (d.o.cors || d.o.rateLimit) return getRequestListener((req, env) => app.fetch(req, env as HttpBindings));
  const viaFetch = getRequestListener((req, env) => {
    const incoming = (env as HttpBindings).incoming;
    if (incoming.method === 'POST') {
      const m = RPC_PATH.exec(incoming.url ?? '');
      if (m && m[1] !== 'events') return rpcRoute(d, req, m[1]!, m[2]!, incoming).catch((e: unknown) => errorResponse(e));
    }
    return app.fetch(req, env as HttpBindings);
  });
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST') {
      const m = RPC_PATH.exec(req.url ?? '');
      if (m && m[1] !== 'events' && answersOnNode(d, m[1]!, m[2]!)) return unaryOnNode(d, req, res, m[1]!, m[2]!);
    }
    return viaFetch(req, res);
  };
}
