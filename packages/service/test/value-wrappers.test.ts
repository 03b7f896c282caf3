import { conflict, MicroError } from '@tsmicro/core';
import type { HandlerWrapper } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { pair } from './fixtures.js';

// A wrapper that hands back what `next` gave, around a synchronous handler, is answered in the request's own turn; these
// pin down that such calls behave as any other: answers, errors, deadlines and all four shapes.
const sync = {
  twice(req: { n: number }) {
    return { n: req.n * 2 };
  },
  refuse() {
    throw conflict('refused at once');
  },
};

function recorder() {
  const seen: unknown[] = [];
  const wrapper: HandlerWrapper = (next) => (req, ctx) => {
    const out = next(req, ctx);
    seen.push({ endpoint: ctx.endpoint, plain: !(out instanceof Promise) });
    return out;
  };
  return { seen, wrapper };
}

describe('handler wrappers passing plain values over tcp', () => {
  it('see a synchronous handler answer plainly, and the caller gets it', async () => {
    const r = recorder();
    const p = await pair({ transport: tcpTransport(), server: { wrappers: { handler: [r.wrapper] } }, handlers: { Sync: sync } });
    try {
      expect(await p.client.call('greeter', 'Sync.twice', { n: 21 })).toEqual({ n: 42 });
      expect(r.seen).toEqual([{ endpoint: 'Sync.twice', plain: true }]);
      const e = await p.client.call('greeter', 'Sync.refuse', {}).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(409);
      expect((e as MicroError).detail).toBe('refused at once');
    } finally {
      await p.close();
    }
  });

  it('serve async handlers, deadlines and every stream shape as before', async () => {
    const r = recorder();
    const p = await pair({ transport: tcpTransport(), server: { wrappers: { handler: [r.wrapper] } } });
    try {
      expect(await p.client.call('greeter', 'Greeter.hello', { name: 'ada' })).toMatchObject({ msg: 'hello ada' });
      const late = await p.client.call('greeter', 'Greeter.slow', { ms: 5_000 }, { timeout: 100 }).catch((x: unknown) => x);
      expect((late as MicroError).code).toBe(408);
      const counted: number[] = [];
      const s = await p.client.stream<{ n: number }, number>('greeter', 'Greeter.count');
      await s.send({ n: 3 });
      await s.closeSend();
      for await (const v of s) counted.push(v);
      expect(counted).toEqual([0, 1, 2]);
      const bidi = await p.client.stream<string, string>('greeter', 'Greeter.echo');
      await bidi.send('a');
      await bidi.send('b');
      await bidi.closeSend();
      const echoed: string[] = [];
      for await (const v of bidi) echoed.push(v);
      expect(echoed).toEqual(['A', 'B']);
      expect(r.seen.map((x) => (x as { endpoint: string }).endpoint)).toEqual([
        'Greeter.hello',
        'Greeter.slow',
        'Greeter.count',
        'Greeter.echo',
      ]);
    } finally {
      await p.close();
    }
  });

  it('a wrapper that throws at once answers 500, and the handler never runs', async () => {
    let ran = false;
    const broken: HandlerWrapper = () => () => {
      throw new Error('wrapper broke');
    };
    const p = await pair({
      transport: tcpTransport(),
      server: { wrappers: { handler: [broken] } },
      handlers: {
        Sync: {
          run() {
            ran = true;
            return 1;
          },
        },
      },
    });
    try {
      const e = await p.client.call('greeter', 'Sync.run', {}).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(500);
      expect(ran).toBe(false);
    } finally {
      await p.close();
    }
  });
});
