import { setTimeout as sleep } from 'node:timers/promises';
import type { Broker } from '@tsmicro/broker';
import { type Client, type ClientOptions, createClient } from '@tsmicro/client';
import { type Context, notFound } from '@tsmicro/core';
import { memoryRegistry, type Registry } from '@tsmicro/registry';
import { bidiStream, clientStream, createServer, type Server, type ServerOptions, serverStream } from '@tsmicro/server';
import { memoryTransport, type Transport, tcpTransport } from '@tsmicro/transport';

/** A handler object using all four shapes. */
export const greeter = {
  async hello(req: { name: string }, ctx: Context) {
    return { msg: `hello ${req.name}`, meta: ctx.metadata.who ?? null };
  },
  async fail(req: { kind: 'plain' | 'micro' }) {
    if (req.kind === 'micro') throw notFound('no such greeting');
    throw new Error('boom');
  },
  async slow(req: { ms: number }, ctx: Context) {
    await sleep(req.ms, undefined, { signal: ctx.signal }).catch(() => {});
    return { aborted: ctx.signal.aborted, reason: String(ctx.signal.reason) };
  },
  count: serverStream(async function* (req: { n: number }) {
    for (let i = 0; i < req.n; i++) yield i;
  }),
  sum: clientStream(async (nums: AsyncIterable<number>) => {
    let s = 0;
    for await (const n of nums) s += n;
    return s;
  }),
  echo: bidiStream(async function* (reqs: AsyncIterable<string>) {
    for await (const r of reqs) yield r.toUpperCase();
  }),
};

export type Shape = { name: string; make: () => Transport };
/** Both transports every shape test runs over. */
export const transports: Shape[] = [
  { name: 'memory', make: () => memoryTransport() },
  { name: 'tcp', make: () => tcpTransport() },
];

/** A started server and a client over one transport and registry; `close()` stops them and closes the registry. */
export interface Pair {
  server: Server;
  client: Client;
  registry: Registry;
  transport: Transport;
  close(): Promise<void>;
}

/** Starts a server named `name` (default 'greeter') with `handlers` (default the {@link greeter}), and a client that finds it. */
export async function pair(o: {
  handlers?: Record<string, object>;
  name?: string;
  transport?: Transport;
  registry?: Registry;
  broker?: Broker;
  server?: Partial<ServerOptions>;
  client?: ClientOptions;
  /** Runs before start: subscriptions go here. */
  setup?: (s: Server) => void;
}): Promise<Pair> {
  const transport = o.transport ?? memoryTransport();
  const registry = o.registry ?? memoryRegistry();
  const broker = o.broker ? { broker: o.broker } : {};
  const server = createServer({ name: o.name ?? 'greeter', transport, registry, ...broker, ...o.server });
  for (const [name, h] of Object.entries(o.handlers ?? { Greeter: greeter })) server.handle(name, h);
  o.setup?.(server);
  await server.start();
  const client = createClient({ transport, registry, ...broker, ...o.client });
  return {
    server,
    client,
    registry,
    transport,
    async close() {
      await client.close();
      await server.stop();
      await registry.close();
    },
  };
}

/** Polls `cond` every 5 ms until true; fails after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}
