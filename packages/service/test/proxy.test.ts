import { setTimeout as sleep } from 'node:timers/promises';
import { serverStream } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { greeter, pair, until } from './fixtures.js';

describe('typed proxy', () => {
  it('serves all four shapes with options last', async () => {
    const p = await pair({});
    try {
      const g = p.client.service<{ Greeter: typeof greeter }>('greeter', { metadata: { who: 'proxy' } }).Greeter;
      expect(await g.hello({ name: 'Ada' })).toEqual({ msg: 'hello Ada', meta: 'proxy' });
      expect(await g.hello({ name: 'Bo' }, { metadata: { who: 'call' } })).toEqual({ msg: 'hello Bo', meta: 'call' });

      const counted: number[] = [];
      for await (const n of g.count({ n: 3 })) counted.push(n);
      expect(counted).toEqual([0, 1, 2]);

      const sum = g.sum();
      await sum.send(2);
      await sum.send(3);
      await sum.closeSend();
      const sums: number[] = [];
      for await (const v of sum) sums.push(v);
      expect(sums).toEqual([5]);

      // Iterating before sending: the registry tells the proxy this is a bidi stream.
      const echo = g.echo();
      const out: string[] = [];
      const reading = (async () => {
        for await (const v of echo) out.push(v);
      })();
      await echo.send('x');
      await echo.send('y');
      await echo.closeSend();
      await reading;
      expect(out).toEqual(['X', 'Y']);
    } finally {
      await p.close();
    }
  });

  it('rejects an unknown method with a 404 naming it', async () => {
    const p = await pair({});
    try {
      const loose = p.client.service<{ Greeter: { nope(req: number): Promise<number> } }>('greeter');
      await expect(loose.Greeter.nope(1)).rejects.toMatchObject({ code: 404, detail: expect.stringContaining('Greeter.nope') });
    } finally {
      await p.close();
    }
  });
  it('returns a real Promise that sends at once, awaited or not', async () => {
    let greeted = 0;
    const counting = { ...greeter, hello: (req: { name: string }) => ({ msg: `hello ${req.name} ${++greeted}`, meta: null }) };
    const p = await pair({ transport: tcpTransport(), handlers: { Greeter: counting } });
    try {
      const g = p.client.service<{ Greeter: typeof counting }>('greeter').Greeter;
      const pending = g.hello({ name: 'Ada' });
      expect(pending).toBeInstanceOf(Promise);
      // Never awaited, never chained: the call still goes out.
      void g.hello({ name: 'fire-and-forget' });
      await until(() => greeted === 2);
      expect(await pending).toMatchObject({ msg: expect.stringMatching(/^hello Ada [12]$/) });
    } finally {
      await p.close();
    }
  });

  it('a stream result used a turn later still streams, once, with no unhandled rejection', async () => {
    let runs = 0;
    const handlers = {
      count: serverStream(async function* (req: { n: number }) {
        runs++;
        for (let i = 0; i < req.n; i++) yield i;
      }),
    };
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    const p = await pair({ transport: tcpTransport(), handlers: { Greeter: handlers } });
    try {
      const g = p.client.service<{ Greeter: typeof handlers }>('greeter').Greeter;
      const later = g.count({ n: 3 });
      await sleep(100);
      const got: number[] = [];
      for await (const n of later) got.push(n);
      expect(got).toEqual([0, 1, 2]);
      // Awaiting a stream call gives the stream to iterate.
      const awaited = await (g.count({ n: 2 }) as unknown as Promise<AsyncIterable<number>>);
      const again: number[] = [];
      for await (const n of awaited) again.push(n);
      expect(again).toEqual([0, 1]);
      expect(runs).toBe(2);
      await sleep(20);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await p.close();
    }
  });
});
