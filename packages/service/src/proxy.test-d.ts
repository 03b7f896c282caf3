import type {
  BidiStreamHandler,
  CallOptions,
  Client,
  ClientStreamHandler,
  ServerStreamHandler,
  Stream,
  UnaryHandler,
} from '@tsmicro/client';
import type { Context } from '@tsmicro/core';
import { bidiStream, clientStream, serverStream } from '@tsmicro/server';
import { describe, expectTypeOf, it } from 'vitest';

const greeter = {
  async hello(req: { name: string }, _ctx: Context) {
    return { msg: `hello ${req.name}` };
  },
  count: serverStream(async function* (req: { n: number }) {
    for (let i = 0; i < req.n; i++) yield i;
  }),
  sum: clientStream(async (nums: AsyncIterable<number>) => {
    let s = 0;
    for await (const n of nums) s += n;
    return { total: s };
  }),
  echo: bidiStream(async function* (reqs: AsyncIterable<string>) {
    for await (const r of reqs) yield r.length;
  }),
};

class Calc {
  private base = 1;
  async add(req: { a: number; b: number }) {
    return req.a + req.b + this.base - 1;
  }
}

declare const client: Client;
const svc = client.service<{ Greeter: typeof greeter; Calc: Calc }>('greeter');

describe('typed proxy types', () => {
  it('maps each handler kind to its caller shape', () => {
    expectTypeOf(svc.Greeter.hello).toEqualTypeOf<(req: { name: string }, o?: CallOptions) => Promise<{ msg: string }>>();
    expectTypeOf(svc.Greeter.count).toEqualTypeOf<(req: { n: number }, o?: CallOptions) => AsyncIterable<number>>();
    expectTypeOf(svc.Greeter.sum).toEqualTypeOf<(o?: CallOptions) => Stream<number, { total: number }>>();
    expectTypeOf(svc.Greeter.echo).toEqualTypeOf<(o?: CallOptions) => Stream<string, number>>();
    expectTypeOf(svc.Calc.add).returns.resolves.toEqualTypeOf<number>();
  });

  it('refuses misuse', () => {
    // @ts-expect-error wrong request type
    void svc.Greeter.hello({ name: 42 });
    // @ts-expect-error unknown method
    void svc.Greeter.goodbye({ name: 'x' });
    // @ts-expect-error unknown handler
    void svc.Nope;
    // @ts-expect-error a server stream is iterated, not awaited as a Stream: it has no send
    void svc.Greeter.count({ n: 1 }).send;
    // @ts-expect-error a bidi stream takes no request argument, only options
    void svc.Greeter.echo('hi');
    // @ts-expect-error a unary call is not a stream
    void svc.Greeter.hello({ name: 'x' }).send;
    // @ts-expect-error private members are not endpoints
    void svc.Calc.base;
    // @ts-expect-error wrong option type
    void svc.Greeter.hello({ name: 'x' }, { timeout: '1s' });
  });
});

interface GreeterContract {
  hello: UnaryHandler<{ name: string }, { msg: string }>;
  count: ServerStreamHandler<{ n: number }, number>;
  sum: ClientStreamHandler<number, { total: number }>;
  echo: BidiStreamHandler<string, number>;
}

describe('implementing a contract interface', () => {
  it('accepts the marked handlers, with requests typed from the contract', () => {
    const impl: GreeterContract = {
      hello: async (req) => ({ msg: req.name }),
      count: serverStream(async function* (req) {
        expectTypeOf(req).toEqualTypeOf<{ n: number }>();
        yield req.n;
      }),
      sum: clientStream(async (nums) => {
        let total = 0;
        for await (const n of nums) total += n;
        return { total };
      }),
      echo: bidiStream(async function* (reqs) {
        for await (const r of reqs) yield r.length;
      }),
    };
    expectTypeOf(impl).toMatchTypeOf<GreeterContract>();
  });

  it('refuses the wrong kind or the wrong types', () => {
    const wrong: Pick<GreeterContract, 'count' | 'sum' | 'hello'> = {
      // @ts-expect-error a client stream where a server stream is declared
      count: clientStream(async (nums: AsyncIterable<{ n: number }>) => {
        for await (const _ of nums) return 1;
        return 0;
      }),
      // @ts-expect-error a bidi stream where a client stream is declared
      sum: bidiStream(async function* (nums: AsyncIterable<number>) {
        for await (const n of nums) yield { total: n };
      }),
      // @ts-expect-error the response misses `msg`
      hello: async (req) => ({ message: req.name }),
    };
    void wrong;
  });
});
