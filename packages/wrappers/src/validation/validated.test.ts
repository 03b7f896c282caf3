import type { MicroError } from '@tsmicro/core';
import { bidiStream, clientStream, serverStream } from '@tsmicro/server';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Pair, rejection, startPair } from '../../test/fixture.js';
import { schemaOf, validated } from './validated.js';

const Name = z.object({ name: z.string().trim().min(1) });
const Reply = z.object({ msg: z.string() });
const ran: string[] = [];

const greeter = {
  hello: validated({ request: Name, response: Reply, validateResponse: true }, async (req) => {
    ran.push('hello');
    return { msg: `hello ${req.name}` };
  }),
  broken: validated({ request: Name, response: Reply, validateResponse: true }, async () => ({ msg: 42 })),
  unchecked: validated({ request: Name, response: Reply, validateResponse: false }, async () => ({ msg: 42 })),
  count: serverStream(
    validated(
      { request: v.object({ n: v.pipe(v.number(), v.integer(), v.minValue(0)) }), response: v.number(), validateResponse: true },
      async function* (req) {
        ran.push('count');
        for (let i = 0; i < req.n; i++) yield i === 2 ? ('two' as unknown as number) : i;
      },
    ),
  ),
  sum: clientStream(
    validated({ request: z.number() }, async (nums: AsyncIterable<number>) => {
      ran.push('sum');
      let s = 0;
      for await (const n of nums) s += n;
      return s;
    }),
  ),
  echo: validated(
    { request: z.string().min(1) },
    bidiStream(async function* (reqs: AsyncIterable<string>) {
      for await (const r of reqs) yield r.toUpperCase();
    }),
  ),
};

async function collect<T>(it: AsyncIterable<T>): Promise<{ got: T[]; error?: unknown }> {
  const got: T[] = [];
  try {
    for await (const m of it) got.push(m);
    return { got };
  } catch (error) {
    return { got, error };
  }
}

describe('validated() over a real client and server', () => {
  let p: Pair;
  beforeAll(async () => {
    p = await startPair({ handlers: { Greeter: greeter } });
  });
  afterAll(() => p.close());

  it('refuses invalid input with badRequest listing the issues, before the handler runs', async () => {
    ran.length = 0;
    const e = (await rejection(p.client.call('greeter', 'Greeter.hello', { name: 7 }))) as MicroError;
    expect(e.code).toBe(400);
    expect(e.detail).toMatch(/^invalid request: name: /);
    expect(((await rejection(p.client.call('greeter', 'Greeter.hello', { name: '   ' }))) as MicroError).code).toBe(400);
    expect(ran).toEqual([]);
  });

  it('hands the handler the schema output (transforms applied)', async () => {
    expect(await p.client.call('greeter', 'Greeter.hello', { name: '  ada  ' })).toEqual({ msg: 'hello ada' });
  });

  it('turns an invalid response into a 500 when response validation is on, and lets it pass when off', async () => {
    const e = (await rejection(p.client.call('greeter', 'Greeter.broken', { name: 'x' }))) as MicroError;
    expect(e.code).toBe(500);
    expect(e.detail).toMatch(/^invalid response: msg: /);
    expect(await p.client.call('greeter', 'Greeter.unchecked', { name: 'x' })).toEqual({ msg: 42 });
  });

  it('checks a server stream request before the handler runs, and each response message', async () => {
    ran.length = 0;
    const bad = await p.client.stream('greeter', 'Greeter.count');
    await bad.send({ n: -1 });
    await bad.closeSend();
    const r1 = await collect(bad);
    expect((r1.error as MicroError).code).toBe(400);
    expect(ran).toEqual([]);
    const s = await p.client.stream('greeter', 'Greeter.count');
    await s.send({ n: 4 });
    await s.closeSend();
    const r2 = await collect(s);
    expect(r2.got).toEqual([0, 1]);
    expect((r2.error as MicroError).code).toBe(500);
  });

  it('checks every message of client and bidi streams (marker inside or outside)', async () => {
    const s = await p.client.stream<unknown, number>('greeter', 'Greeter.sum');
    await s.send(1);
    await s.send(2);
    await s.closeSend();
    expect((await collect(s)).got).toEqual([3]);
    const bad = await p.client.stream('greeter', 'Greeter.sum');
    await bad.send(1);
    await bad.send('two');
    await bad.closeSend();
    const r = await collect(bad);
    expect((r.error as MicroError).code).toBe(400);
    expect((r.error as MicroError).detail).toMatch(/invalid request/);
    const b = await p.client.stream<string, string>('greeter', 'Greeter.echo');
    await b.send('a');
    await b.send('');
    await b.closeSend();
    const rb = await collect(b);
    expect(rb.got).toEqual(['A']);
    expect((rb.error as MicroError).code).toBe(400);
  });
});

describe('validated() metadata and modes', () => {
  it('publishes its schemas via schemaOf and keeps stream marks', () => {
    expect(schemaOf(greeter.hello)).toEqual({ request: Name, response: Reply });
    expect(schemaOf(greeter.sum)?.request).toBeDefined();
    expect(schemaOf(async () => 1)).toBeUndefined();
  });

  it("checks responses by default only outside production ('development')", async () => {
    const prev = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      const prod = validated({ request: Name, response: Reply }, async () => ({ msg: 1 }));
      process.env.NODE_ENV = 'development';
      const dev = validated({ request: Name, response: Reply }, async () => ({ msg: 1 }));
      const p = await startPair({ handlers: { G: { prod, dev } } });
      try {
        expect(await p.client.call('greeter', 'G.prod', { name: 'a' })).toEqual({ msg: 1 });
        expect(((await rejection(p.client.call('greeter', 'G.dev', { name: 'a' }))) as MicroError).code).toBe(500);
      } finally {
        await p.close();
      }
    } finally {
      process.env.NODE_ENV = prev;
    }
  });
});

describe('validated() schemas in the registry', () => {
  it('are published by the server as JSON Schema in endpoint metadata', async () => {
    const p = await startPair({ handlers: { Greeter: { hello: greeter.hello } } });
    try {
      const [rec] = await p.registry.getService('greeter');
      const meta = rec?.endpoints.find((e) => e.name === 'Greeter.hello')?.metadata ?? {};
      expect(JSON.parse(meta.request_schema ?? 'null')).toMatchObject({ type: 'object', required: ['name'] });
    } finally {
      await p.close();
    }
  });
});
