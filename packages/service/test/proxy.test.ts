import { describe, expect, it } from 'vitest';
import { type greeter, pair } from './fixtures.js';

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
});
