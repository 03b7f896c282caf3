import type { HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import type { GatewayDeps } from './deps.js';
import { errorResponse } from './http-error.js';
import { rpcRoute } from './rpc-route.js';

/** `/{service}/{Handler.method}` exactly, in the characters rpcRoute accepts; anything else (an encoded path, a query) goes through hono. */
const RPC_PATH = /^\/([\w.:-]{1,200})\/([A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*)$/;

/**
 * The socket's request handler: `POST /{service}/{Handler.method}` goes straight to rpcRoute when
 * no middleware (CORS, rate limit) runs before it, every other request through the hono app. The
 * answer is the same either way; hono's routing, context and promise chain were about 4 % of the
 * gateway's CPU per call in a profile. `/events/…` stays hono's (publish, or its 404).
 */
export function serveHttp<E extends { Bindings: Partial<HttpBindings> }>(
  d: GatewayDeps,
  app: Hono<E>,
): (req: Request, env: HttpBindings) => Response | Promise<Response> {
  if (d.o.cors || d.o.rateLimit) return (req, env) => app.fetch(req, env);
  return (req, env) => {
    const incoming = env.incoming;
    if (incoming.method === 'POST') {
      const m = RPC_PATH.exec(incoming.url ?? '');
      if (m && m[1] !== 'events') return rpcRoute(d, req, m[1]!, m[2]!, incoming).catch((e: unknown) => errorResponse(e));
    }
    return app.fetch(req, env);
  };
}
