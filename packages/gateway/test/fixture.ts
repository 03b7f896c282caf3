import type { Broker } from '@tsmicro/broker';
import { httpBroker } from '@tsmicro/broker/http';
import { type Context, silentLogger, unauthorized } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import { mdnsRegistry } from '@tsmicro/registry/mdns';
import { ensureLoopbackMulticast, uniqueName } from '@tsmicro/registry/testing';
import { bidiStream, clientStream, serverStream } from '@tsmicro/server';
import { createService, type Service } from '@tsmicro/service';
import { jwtAuth } from '@tsmicro/wrappers/auth';
import { validated } from '@tsmicro/wrappers/validation';
import { z } from 'zod';
import { createGateway, type Gateway, type GatewayOptions } from '../src/index.js';

/** The HMAC key the `secure` service's jwtAuth checks. */
export const JWT_KEY = 'gateway-test-secret-0123456789abcdef';

const Hello = z.object({ name: z.string().min(1) });

/** One handler of each shape, plus ones that fail and echo what they got. */
export const greeter = {
  hello: validated({ request: Hello }, async (req: z.infer<typeof Hello>, ctx: Context) => ({
    msg: `Hello ${req.name}`,
    node: ctx.service,
  })),
  echo: async (req: unknown, ctx: Context) => ({ req, metadata: { ...ctx.metadata }, deadline: ctx.deadline ?? null }),
  fail: async (req: { code?: number }) => {
    if (req.code === 401) throw unauthorized('no entry');
    throw new Error('handler blew up');
  },
  slow: async (req: { ms: number }, ctx: Context) => {
    await new Promise((r) => {
      const t = setTimeout(r, req.ms);
      ctx.signal.addEventListener('abort', () => clearTimeout(t));
    });
    return { slept: req.ms };
  },
  big: async (req: { kib: number }) => ({ text: 'tsmicro '.repeat(req.kib * 128) }),
  countdown: serverStream(async function* (req: { from: number; failAt?: number }) {
    for (let i = req.from; i > 0; i--) {
      if (i === req.failAt) throw new Error(`failed at ${i}`);
      yield { n: i };
    }
  }),
  total: clientStream(async (nums: AsyncIterable<{ n: number }>) => {
    let total = 0;
    for await (const { n } of nums) total += n;
    return { total };
  }),
  who: serverStream(async function* (_req: unknown, ctx: Context) {
    yield ctx.metadata['x-client-address'];
  }),
  chat: bidiStream(async function* (msgs: AsyncIterable<{ text: string }>) {
    for await (const { text } of msgs) yield { reply: `you said '${text}'` };
  }),
};

/** A test bed: an mDNS group of its own on loopback, unique service names, everything closed by `close()`. */
export interface Bed {
  readonly name: string;
  readonly registry: Registry;
  readonly broker: Broker;
  /** Starts one more greeter node (all nodes of a bed share `name`), with `handlers` beside `Greeter`. */
  startGreeter(o?: { secure?: boolean; name?: string; handlers?: Record<string, object> }): Promise<Service>;
  gateway(o?: Partial<GatewayOptions>): Promise<{ gw: Gateway; url: string }>;
  close(): Promise<void>;
}

export async function testBed(): Promise<Bed> {
  const port = 40_000 + Math.floor(Math.random() * 20_000);
  const problem = await ensureLoopbackMulticast(port);
  if (problem) throw new Error(problem);
  const registries: Registry[] = [];
  const services: Service[] = [];
  const gateways: Gateway[] = [];
  const newRegistry = () => {
    const r = mdnsRegistry({ interface: '127.0.0.1', port, discoveryTimeout: 100 });
    registries.push(r);
    return r;
  };
  const registry = newRegistry();
  const broker = httpBroker({ registry });
  const name = uniqueName('greeter');
  return {
    name,
    registry,
    broker,
    async startGreeter(o = {}) {
      const r = newRegistry();
      const svc = createService({
        name: o.name ?? name,
        registry: r,
        broker: httpBroker({ registry: r }),
        logger: silentLogger(),
        ...(o.secure && { wrappers: { handler: [jwtAuth({ key: JWT_KEY, rules: { 'Greeter.hello': [] } })] } }),
      });
      svc.handle('Greeter', greeter);
      for (const [name, h] of Object.entries(o.handlers ?? {})) svc.handle(name, h);
      await svc.start();
      services.push(svc);
      return svc;
    },
    async gateway(o = {}) {
      const gw = createGateway({ registry, broker, ...o });
      gateways.push(gw);
      const { url } = await gw.listen();
      return { gw, url };
    },
    async close() {
      await Promise.all(gateways.map((g) => g.close()));
      await Promise.all(services.map((s) => s.stop()));
      await broker.disconnect();
      await Promise.all(registries.map((r) => r.close()));
    },
  };
}

/** POSTs JSON to the gateway. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}
