import type { AddressInfo } from 'node:net';

/**
 * Entry of the GW rows' server processes: argv[2] is a JSON {@link GwServerSpec}. Reports
 * `{ type: 'ready', address }` over IPC, answers `{ type: 'cpu' }` with its CPU time so far (µs),
 * stops on `{ type: 'stop' }` or when the parent goes away.
 */

/** The HTTP echo stacks, and the tsmicro service the gateway calls. */
export type GwServerSpec = { role: 'hono-bare' | 'fastify-bare' } | { role: 'service' } | { role: 'gateway'; serviceAddress: string };

type Running = { address: string; close(): Promise<unknown> };

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
async function gateway(serviceAddress: string): Promise<Running> {
  const { memoryRegistry } = await import('@tsmicro/registry');
  const { createGateway } = await import('@tsmicro/gateway');
  const registry = memoryRegistry();
  await registry.register({
    name: 'bench',
    version: '1',
    metadata: {},
    endpoints: [{ name: 'Bench.echo', metadata: { kind: 'unary' } }],
    nodes: [{ id: 'bench-1', address: serviceAddress, metadata: {} }],
  });
  const gw = createGateway({ registry, dashboard: false });
  const { url } = await gw.listen();
  return { address: url, close: () => gw.close().then(() => registry.close()) };
}

const start: Record<GwServerSpec['role'], (s: GwServerSpec) => Promise<Running>> = {
  'hono-bare': honoBare,
  'fastify-bare': fastifyBare,
  service,
  gateway: (s) => gateway((s as { serviceAddress: string }).serviceAddress),
};

process.on('disconnect', () => process.exit(1));
const spec = JSON.parse(process.argv[2] ?? '{}') as GwServerSpec;
try {
  const run = start[spec.role];
  if (!run) throw new Error(`unknown GW server role ${JSON.stringify(spec.role)}`);
  const r = await run(spec);
  process.on('message', (m) => {
    const type = (m as { type?: string }).type;
    if (type === 'stop') void r.close().finally(() => process.exit(0));
    if (type === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ type: 'cpu', us: u.user + u.system });
    }
  });
  process.send?.({ type: 'ready', address: r.address });
} catch (e) {
  process.send?.({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
