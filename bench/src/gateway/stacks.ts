import type { AddressInfo } from 'node:net';

/**
 * The server processes of the GW rows: bare hono, bare fastify, the tsmicro service, and the gateway
 * in front of it. Started by `server-child.ts` (one per process) and by `count.ts` (in the process
 * under callgrind).
 */

/** The HTTP echo stacks, and the tsmicro service the gateway calls. */
export type GwServerSpec =
  | { role: 'hono-bare' | 'fastify-bare' }
  | { role: 'service' }
  /** `patient`: no deadline, ping or HTTP timeout a callgrind run (~50× slower, on a shared machine) could reach. */
  | { role: 'gateway'; serviceAddress: string; patient?: boolean };

/** Ten minutes: under callgrind a request waits seconds, and a timeout would count an error path instead. */
const PATIENT_MS = 600_000;

export type Running = { address: string; close(): Promise<unknown> };

/** The handler every stack runs: W1's `{name}` → `{msg}`, with the JSON parsed and serialised. */
const hello = (body: { name?: string }) => ({ msg: `Hello ${body.name ?? ''}` });

async function honoBare(): Promise<Running> {
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const app = new Hono();
  app.post('/bench/Bench.echo', async (c) => c.json(hello(await c.req.json())));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return { address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

async function fastifyBare(): Promise<Running> {
  const { default: fastify } = await import('fastify');
  const app = fastify();
  app.post('/bench/Bench.echo', async (req) => hello(req.body as { name?: string }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { address: url, close: () => app.close() };
}

async function service(): Promise<Running> {
  const { startTsmicroServer } = await import('../echo/tsmicro.js');
  return startTsmicroServer();
}

/** The gateway with a memory registry holding the service's one node: selection and all, no mDNS traffic. */
async function gateway(serviceAddress: string, patient = false): Promise<Running> {
  const { memoryRegistry } = await import('@tsmicro/registry');
  // GW_GATEWAY_MODULE: a baseline build's gateway (its dist/index.js) instead, for before/after counts.
  const { createGateway } = (await import(process.env.GW_GATEWAY_MODULE ?? '@tsmicro/gateway')) as typeof import('@tsmicro/gateway');
  const registry = memoryRegistry();
  await registry.register({
    name: 'bench',
    version: '1',
    metadata: {},
    endpoints: [{ name: 'Bench.echo', metadata: { kind: 'unary' } }],
    nodes: [{ id: 'bench-1', address: serviceAddress, metadata: {} }],
  });
  const gw = createGateway({
    registry,
    dashboard: false,
    ...(patient && {
      client: { timeout: PATIENT_MS, dialTimeout: PATIENT_MS, busyPingAfter: 0, pingInterval: 0 },
      headersTimeoutMs: PATIENT_MS,
      requestTimeoutMs: PATIENT_MS,
    }),
  });
  const { url } = await gw.listen();
  return { address: url, close: () => gw.close().then(() => registry.close()) };
}

/** Starts one stack; resolves where it listens and how to stop it. */
export const startStack: Record<GwServerSpec['role'], (s: GwServerSpec) => Promise<Running>> = {
  'hono-bare': honoBare,
  'fastify-bare': fastifyBare,
  service,
  gateway: (s) => {
    const g = s as { serviceAddress: string; patient?: boolean };
    return gateway(g.serviceAddress, g.patient);
  },
};
