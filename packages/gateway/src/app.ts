import type { HttpBindings } from '@hono/node-server';
import { notFound, tooManyRequests } from '@tsmicro/core';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { callerAddress } from './client-address.js';
import { dashboardFiles } from './dashboard-route.js';
import type { GatewayDeps } from './deps.js';
import { publishRoute, tailRoute } from './events-route.js';
import { readiness } from './health-routes.js';
import { errorResponse, GATEWAY_ID } from './http-error.js';
import { clientLimiter } from './rate-limit.js';
import { describeAll, describeOne, probeNode } from './registry-routes.js';
import { rpcRoute } from './rpc-route.js';
import { watchRoute } from './watch-route.js';

type Env = { Bindings: Partial<HttpBindings> };

const CORS_HEADERS = ['content-type', 'authorization', 'x-request-id', 'x-timeout', 'grpc-timeout'];

/** The gateway's routes on one hono app (see docs/gateway.md for each). */
export function createApp(d: GatewayDeps): Hono<Env> {
  const { o } = d;
  const app = new Hono<Env>();
  app.onError((err) => errorResponse(err));
  app.notFound((c) => errorResponse({ name: 'MicroError', code: 404, detail: `no route ${c.req.method} ${c.req.path}`, id: GATEWAY_ID }));
  if (o.cors) {
    const { origin, allowHeaders, credentials, maxAge } = o.cors;
    app.use(
      cors({
        origin: typeof origin === 'string' ? origin : [...origin],
        allowHeaders: [...(allowHeaders ?? CORS_HEADERS)],
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        exposeHeaders: ['x-request-id', 'retry-after'],
        credentials: credentials ?? false,
        maxAge: maxAge ?? 600,
      }),
    );
  }
  if (o.rateLimit) {
    const limiter = clientLimiter(o.rateLimit);
    app.use(async (c, next) => {
      if (c.req.path === '/healthz' || c.req.path === '/readyz') return next();
      const wait = limiter.take(callerAddress(o.clientAddress, c.env?.incoming));
      if (wait === undefined) return next();
      const r = errorResponse(tooManyRequests(`rate limit of ${o.rateLimit?.rps}/s exceeded; retry in ${wait} ms`, { id: GATEWAY_ID }));
      r.headers.set('retry-after', String(Math.ceil(wait / 1000)));
      return r;
    });
  }
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', () => readiness(d));
  app.get('/api/services', async (c) => c.json(await describeAll(d)));
  app.get('/api/services/:name', async (c) => c.json(await describeOne(d, c.req.param('name'))));
  app.get('/api/watch', (c) => watchRoute(d, c.req.raw));
  if (o.publish) {
    app.post('/events/:topic', (c) => publishRoute(d, c.req.raw, c.req.param('topic'), c.env?.incoming));
    app.get('/events/:topic', (c) => tailRoute(d, c.req.raw, c.req.param('topic')));
  } else {
    app.all('/events/*', () => {
      throw notFound('publishing through this gateway is off; createGateway({ publish: true, broker }) turns it on', { id: GATEWAY_ID });
    });
  }
  if (o.dashboard) {
    const file = dashboardFiles();
    app.get('/', () => file('index.html'));
    app.get('/api/info', (c) => c.json({ registry: d.source.name, publish: o.publish }));
    app.get('/dashboard/:file', (c) => file(c.req.param('file')));
    app.get('/api/services/:name/nodes/:node/:probe', async (c) => {
      const body = await probeNode(d, c.req.param('name'), c.req.param('node'), c.req.param('probe'));
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    });
  }
  app.post('/:service/:endpoint', (c) => rpcRoute(d, c.req.raw, c.req.param('service'), c.req.param('endpoint'), c.env?.incoming));
  return app;
}
