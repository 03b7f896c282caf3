import { silentLogger } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { bidiStream, clientStream, serverStream } from './markers.js';
import { routesOf } from './router.js';
import type { HandlerWrapper } from './server.js';

class Base {
  protected prefix = 'hi';
  async greet(req: string) {
    return `${this.prefix} ${req}`;
  }
}
class Greeter extends Base {
  own = async (req: string) => req;
  async loud(req: string) {
    return (await this.greet(req)).toUpperCase();
  }
}

describe('routesOf', () => {
  it('finds own and inherited methods, binds this, and reads the kind marks', async () => {
    const routes = routesOf('G', new Greeter(), [], silentLogger());
    expect(routes.map((r) => r.name).sort()).toEqual(['G.greet', 'G.loud', 'G.own']);
    const loud = routes.find((r) => r.name === 'G.loud')!;
    expect(await loud.invoke('ada', {} as never)).toBe('HI ADA');
    const kinds = routesOf(
      'K',
      {
        u: async () => 1,
        s: serverStream(async function* () {}),
        c: clientStream(async () => 1),
        b: bidiStream(async function* () {}),
      },
      [],
      silentLogger(),
    );
    expect(Object.fromEntries(kinds.map((r) => [r.name, r.kind]))).toEqual({
      'K.u': 'unary',
      'K.s': 'server-stream',
      'K.c': 'client-stream',
      'K.b': 'bidi-stream',
    });
  });

  it('applies wrappers with the first listed outermost', async () => {
    const order: string[] = [];
    const w =
      (name: string): HandlerWrapper =>
      (next) =>
      async (req, ctx) => {
        order.push(`${name}>`);
        const r = await next(req, ctx);
        order.push(`<${name}`);
        return r;
      };
    const [r] = routesOf('W', { m: async () => order.push('handler') }, [w('a'), w('b')], silentLogger());
    await r!.invoke(undefined, {} as never);
    expect(order).toEqual(['a>', 'b>', 'handler', '<b', '<a']);
  });

  it('refuses a handler without methods or a dotted name', () => {
    expect(() => routesOf('E', {}, [], silentLogger())).toThrow(/no methods/);
    expect(() => routesOf('a.b', { m() {} }, [], silentLogger())).toThrow(/without dots/);
  });
});
