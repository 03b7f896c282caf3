import { create, isMessage } from '@bufbuild/protobuf';
import { MicroError } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ChatLineSchema,
  Greeter,
  type HelloReply,
  HelloReplySchema,
  type HelloRequest,
  HelloRequestSchema,
  SampleSchema,
  type Summary,
  type Tick,
} from './gen/greeter_pb.js';
import { protoHandlers } from './proto-service.js';
import { type GreeterApi, startGreeter } from './services.js';

describe('proto-greeter over tcp in application/protobuf', () => {
  const registry = memoryRegistry();
  let g: Awaited<ReturnType<typeof startGreeter>>;
  beforeAll(async () => {
    g = await startGreeter({ registry });
  });
  afterAll(async () => {
    await g.close();
    await registry.close();
  });

  it('unary: a generated request in, a generated reply out', async () => {
    const reply = await g.greeter.hello(create(HelloRequestSchema, { name: 'Ada' }));
    expectTypeOf(reply).toEqualTypeOf<HelloReply>();
    expect(isMessage(reply, HelloReplySchema)).toBe(true);
    expect(reply.message).toBe('Hello Ada');
  });

  it('unary through the plain typed proxy, typed by ProtoServiceHandlers', async () => {
    const raw = g.client.service<GreeterApi>('proto-greeter').Greeter;
    expectTypeOf(raw.hello).parameter(0).toEqualTypeOf<HelloRequest>();
    expect((await raw.hello(create(HelloRequestSchema, { name: 'Bo' }))).message).toBe('Hello Bo');
    // @ts-expect-error the plain proxy takes generated messages, not inits
    await expect(raw.hello({ name: 'x' })).rejects.toMatchObject({ code: 400 });
  });

  it('server stream, the request given as a message init', async () => {
    const ticks: number[] = [];
    for await (const t of g.greeter.countdown({ from: 3 })) {
      expectTypeOf(t).toEqualTypeOf<Tick>();
      ticks.push(t.n);
    }
    expect(ticks).toEqual([3, 2, 1]);
  });

  it('client stream', async () => {
    const s = g.greeter.summarize();
    for (const value of [1, 2, 6]) await s.send(value === 2 ? create(SampleSchema, { value }) : { value });
    await s.closeSend();
    const out: Summary[] = [];
    for await (const r of s) out.push(r);
    expect(out.map((r) => [r.count, r.mean])).toEqual([[3, 3]]);
  });

  it('bidi stream', async () => {
    const chat = g.greeter.chat();
    const got: string[] = [];
    const reading = (async () => {
      for await (const l of chat) got.push(l.text);
    })();
    await chat.send(create(ChatLineSchema, { text: 'hi' }));
    await chat.send(create(ChatLineSchema, { text: 'bye' }));
    await chat.closeSend();
    await reading;
    expect(got).toEqual(['HI', 'BYE']);
  });

  it('refuses a request of another registered message type with a 400 naming both', async () => {
    const call = g.client.call('proto-greeter', 'Greeter.hello', create(SampleSchema, { value: 1 }));
    await expect(call).rejects.toBeInstanceOf(MicroError);
    await expect(call).rejects.toMatchObject({
      code: 400,
      detail: expect.stringMatching(/expects tsmicro\.example\.greeter\.v1\.HelloRequest, got tsmicro\.example\.greeter\.v1\.Sample/),
    });
  });

  it('registers each proto method with its kind', async () => {
    const [rec] = await registry.getService('proto-greeter');
    // The service's own Debug endpoints are registered too; this is about the proto ones.
    const greeterEndpoints = rec?.endpoints.filter((e) => e.name.startsWith('Greeter.')) ?? [];
    expect(Object.fromEntries(greeterEndpoints.map((e) => [e.name, e.metadata.kind]))).toEqual({
      'Greeter.hello': 'unary',
      'Greeter.countdown': 'server-stream',
      'Greeter.summarize': 'client-stream',
      'Greeter.chat': 'bidi-stream',
    });
  });
});

describe('protoHandlers', () => {
  it('refuses an implementation missing a method', () => {
    const partial = {
      async hello() {
        return {};
      },
    } as unknown as Parameters<typeof protoHandlers<typeof Greeter>>[1];
    expect(() => protoHandlers(Greeter, partial)).toThrow(/no implementation of Countdown/);
  });

  it('types requests and responses from the descriptor', () => {
    protoHandlers(Greeter, {
      // @ts-expect-error the reply has no field `msg`
      async hello(req) {
        return { msg: req.name };
      },
      async *countdown(req) {
        // @ts-expect-error `from` is a number
        yield { n: req.from.length };
      },
      async summarize() {
        return {};
      },
      async *chat() {},
    });
    // @ts-expect-error a request init with a field of the wrong type
    void (() => startGreeter().then((x) => x.greeter.hello({ name: 1 })));
    // @ts-expect-error a message of another type
    void (() => startGreeter().then((x) => x.greeter.hello(create(SampleSchema, { value: 1 }))));
  });
});
