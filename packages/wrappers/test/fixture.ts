import { setTimeout as sleep } from 'node:timers/promises';
import type { Broker } from '@tsmicro/broker';
import { type Client, type ClientOptions, createClient } from '@tsmicro/client';
import type { Logger } from '@tsmicro/core';
import { memoryRegistry, type Registry } from '@tsmicro/registry';
import { createServer, type Server, type ServerOptions } from '@tsmicro/server';
import { memoryTransport, type Transport } from '@tsmicro/transport';
import { pino } from 'pino';

/** A started server and a client over one transport and registry (test helper). */
export interface Pair {
  server: Server;
  client: Client;
  registry: Registry;
  transport: Transport;
  close(): Promise<void>;
}

/** Starts a server named `name` (default 'greeter') with `handlers`, and a client that finds it. */
export async function startPair(o: {
  handlers: Record<string, object>;
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
  for (const [name, h] of Object.entries(o.handlers)) server.handle(name, h);
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
      if (!o.registry) await registry.close();
    },
  };
}

/** A real pino logger writing JSON lines into memory. */
export function captureLogger(level = 'trace'): { logger: Logger; text(): string; lines(): Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const logger = pino({ level }, { write: (s: string) => void chunks.push(s) });
  return {
    logger,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
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

/** The rejection of `p` (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
