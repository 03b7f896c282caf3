import type { CallOptions, Client, Stream } from '@tsmicro/client';
import { describe, expectTypeOf, it } from 'vitest';
import type { GreeterService } from './greeter.js';

declare const client: Client;
const g = client.service<GreeterService>('greeter').Greeter;

describe('the greeter typed proxy (what client.ts uses, with no casts)', () => {
  it('types all four shapes from the handler object', () => {
    expectTypeOf(g.hello).toEqualTypeOf<(req: { name: string }, o?: CallOptions) => Promise<{ message: string; from: string }>>();
    expectTypeOf(g.countdown).toEqualTypeOf<(req: { from: number }, o?: CallOptions) => AsyncIterable<number>>();
    expectTypeOf(g.total).toEqualTypeOf<(o?: CallOptions) => Stream<{ n: number }, { total: number }>>();
    expectTypeOf(g.chat).toEqualTypeOf<(o?: CallOptions) => Stream<{ text: string }, { reply: string }>>();
  });

  it('refuses misuse', () => {
    // @ts-expect-error wrong request type
    void g.hello({ name: 1 });
    // @ts-expect-error a client stream takes no request
    void g.total({ n: 1 });
    // @ts-expect-error unknown method
    void g.goodbye();
  });
});
