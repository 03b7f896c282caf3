import type { Context } from '@tsmicro/core';
import type { BidiStreamHandler, ClientStreamHandler, ServerStreamHandler, UnaryHandler } from '@tsmicro/transport/rpc';
import { describe, expectTypeOf, it } from 'vitest';
import type { CallOptions, Client, Stream } from './client.js';
import { defineService, type HandlersOf, serve } from './contract.js';

// Handler types as a contract package would write them: no server code involved.
interface Greeter {
  hello: UnaryHandler<{ name: string }, { msg: string }>;
  countdown: ServerStreamHandler<{ from: number }, number>;
  total: ClientStreamHandler<{ n: number }, { total: number }>;
  chat: BidiStreamHandler<{ text: string }, { reply: string }>;
}

// Plain handler objects as a server would write them.
declare const marks: {
  watch: ServerStreamHandler<string, { at: number }>;
  upload: ClientStreamHandler<Uint8Array, Promise<{ bytes: number }>>;
};
const plain = {
  sync(req: { a: number }) {
    return req.a * 2;
  },
  async promised(req: { a: number }, _ctx: Context) {
    return { doubled: req.a * 2 };
  },
  async ping() {
    return 'pong' as const;
  },
  async maybe(req?: { verbose: boolean }) {
    return req?.verbose ?? false;
  },
  async fail(): Promise<never> {
    throw new Error('always');
  },
  // A server stream someone forgot to mark with serverStream().
  async *unmarked(req: { n: number }) {
    yield req.n;
  },
  notAMethod: 42,
  ...marks,
};

class Calc {
  private offset = 0;
  static create() {
    return new Calc();
  }
  async add(req: { a: number; b: number }) {
    return req.a + req.b + this.offset;
  }
  mul(req: { a: number; b: number }, _ctx: Context) {
    return req.a * req.b;
  }
}

declare const client: Client;
const svc = client.service<{ Greeter: Greeter; Plain: typeof plain; Calc: Calc }>('greeter');

describe('typed proxy: shapes', () => {
  it('unary methods return Promise<Res>, whether the handler returns a value or a promise', () => {
    expectTypeOf(svc.Greeter.hello).toEqualTypeOf<(req: { name: string }, o?: CallOptions) => Promise<{ msg: string }>>();
    expectTypeOf(svc.Plain.sync).toEqualTypeOf<(req: { a: number }, o?: CallOptions) => Promise<number>>();
    expectTypeOf(svc.Plain.promised).returns.toEqualTypeOf<Promise<{ doubled: number }>>();
    expectTypeOf(svc.Plain.fail).returns.toEqualTypeOf<Promise<never>>();
  });

  it('a handler without a request (or an optional one) may be called without one', () => {
    expectTypeOf(svc.Plain.ping).toEqualTypeOf<(req?: undefined, o?: CallOptions) => Promise<'pong'>>();
    expectTypeOf(svc.Plain.ping()).resolves.toEqualTypeOf<'pong'>();
    expectTypeOf(svc.Plain.ping(undefined, { timeout: 10 })).resolves.toEqualTypeOf<'pong'>();
    expectTypeOf(svc.Plain.maybe()).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(svc.Plain.maybe({ verbose: true })).resolves.toEqualTypeOf<boolean>();
  });

  it('server streams return AsyncIterable<Res>', () => {
    expectTypeOf(svc.Greeter.countdown).toEqualTypeOf<(req: { from: number }, o?: CallOptions) => AsyncIterable<number>>();
    expectTypeOf(svc.Plain.watch('k')).toEqualTypeOf<AsyncIterable<{ at: number }>>();
  });

  it('client and bidi streams return a typed Stream, with the awaited response', () => {
    expectTypeOf(svc.Greeter.total).toEqualTypeOf<(o?: CallOptions) => Stream<{ n: number }, { total: number }>>();
    expectTypeOf(svc.Greeter.chat).toEqualTypeOf<(o?: CallOptions) => Stream<{ text: string }, { reply: string }>>();
    expectTypeOf(svc.Plain.upload()).toEqualTypeOf<Stream<Uint8Array, { bytes: number }>>();
    expectTypeOf(svc.Greeter.chat().send).parameter(0).toEqualTypeOf<{ text: string }>();
  });

  it('class handlers expose their prototype methods only', () => {
    expectTypeOf(svc.Calc.add).toEqualTypeOf<(req: { a: number; b: number }, o?: CallOptions) => Promise<number>>();
    expectTypeOf(svc.Calc.mul({ a: 1, b: 2 })).resolves.toEqualTypeOf<number>();
    expectTypeOf(svc.Calc).not.toHaveProperty('offset');
  });

  it('non-function properties are not endpoints; an unmarked generator is not callable', () => {
    expectTypeOf(svc.Plain).not.toHaveProperty('notAMethod');
    expectTypeOf(svc.Plain.unmarked).toBeNever();
  });
});

describe('typed proxy: misuse fails to compile', () => {
  it('wrong argument type', () => {
    // @ts-expect-error name must be a string
    void svc.Greeter.hello({ name: 42 });
    // @ts-expect-error missing required field
    void svc.Greeter.hello({});
    // @ts-expect-error a required request cannot be left out
    void svc.Greeter.hello();
    // @ts-expect-error excess property in the request literal
    void svc.Greeter.hello({ name: 'a', extra: true });
    // @ts-expect-error wrong server-stream request
    void svc.Greeter.countdown({ from: '3' });
    // @ts-expect-error a no-request handler takes no request
    void svc.Plain.ping({ x: 1 });
  });

  it('unknown handler or method', () => {
    // @ts-expect-error unknown method
    void svc.Greeter.goodbye({ name: 'x' });
    // @ts-expect-error unknown handler
    void svc.Nope;
    // @ts-expect-error static members are not endpoints
    void svc.Calc.create;
    // @ts-expect-error private members are not endpoints
    void svc.Calc.offset;
  });

  it('wrong stream kind', () => {
    // @ts-expect-error a server stream has no send: it is iterated
    void svc.Greeter.countdown({ from: 1 }).send;
    // @ts-expect-error a server stream is not awaited for one value
    void svc.Greeter.countdown({ from: 1 }).then;
    // @ts-expect-error a client stream takes no request argument, only options
    void svc.Greeter.total({ n: 1 });
    // @ts-expect-error a bidi stream takes no request argument, only options
    void svc.Greeter.chat({ text: 'hi' });
    // @ts-expect-error a unary call is not a stream
    void svc.Greeter.hello({ name: 'x' }).send;
    // @ts-expect-error sending the wrong message type on a stream
    void svc.Greeter.chat().send({ txt: 'hi' });
    // @ts-expect-error an unmarked generator is not callable
    void svc.Plain.unmarked({ n: 1 });
  });

  it('wrong response use', async () => {
    const r = await svc.Greeter.hello({ name: 'x' });
    // @ts-expect-error the response has no such field
    void r.message;
    // @ts-expect-error a unary response is not iterable
    for await (const _ of svc.Greeter.hello({ name: 'x' })) void _;
    for await (const n of svc.Greeter.countdown({ from: 3 })) {
      // @ts-expect-error stream items are numbers
      void n.toUpperCase();
    }
    for await (const t of svc.Greeter.total()) {
      expectTypeOf(t).toEqualTypeOf<{ total: number }>();
    }
  });

  it('options are typed and come last', () => {
    void svc.Greeter.hello({ name: 'x' }, { timeout: 100, metadata: { a: 'b' }, retries: 0 });
    void svc.Greeter.chat({ signal: AbortSignal.timeout(100) });
    // @ts-expect-error timeout is a number of ms
    void svc.Greeter.hello({ name: 'x' }, { timeout: '1s' });
    // @ts-expect-error unknown option
    void svc.Greeter.hello({ name: 'x' }, { timout: 100 });
    // @ts-expect-error metadata values are strings
    void svc.Greeter.countdown({ from: 1 }, { metadata: { n: 1 } });
    // @ts-expect-error no third argument
    void svc.Greeter.hello({ name: 'x' }, {}, {});
    // @ts-expect-error proxy-wide options are typed too
    void client.service<{ Greeter: Greeter }>('greeter', { retries: 'many' });
  });
});

describe('defineService', () => {
  const def = defineService('greeter', { Plain: plain, Calc: new Calc() });

  it('keeps the literal name and the handler map; its type types a proxy', () => {
    expectTypeOf(def.name).toEqualTypeOf<'greeter'>();
    expectTypeOf<HandlersOf<typeof def>>().toEqualTypeOf<{ Plain: typeof plain; Calc: Calc }>();
    const p = client.service<typeof def>(def.name);
    expectTypeOf(p.Calc.add).returns.resolves.toEqualTypeOf<number>();
    expectTypeOf(p.Plain.watch).returns.toEqualTypeOf<AsyncIterable<{ at: number }>>();
    // @ts-expect-error only the defined handlers
    void p.Greeter;
  });

  it('serve accepts anything with handle()', () => {
    expectTypeOf(serve).parameter(0).toEqualTypeOf<{ handle(name: string, handlers: object): void }>();
    // @ts-expect-error handlers must be objects
    defineService('bad', { Greeter: 42 });
  });

  it('a server implementing a contract must mark stream kinds', () => {
    const bad: Pick<Greeter, 'countdown'> = {
      // @ts-expect-error an unmarked generator is not a server stream
      countdown: async function* () {
        yield 1;
      },
    };
    void bad;
  });
});
