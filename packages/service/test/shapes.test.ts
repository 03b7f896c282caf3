import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcpTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { makeTestPki } from '../../transport/test/tls-certs.js';
import { pair, type Shape, transports } from './fixtures.js';

const pki = makeTestPki();
let socketFiles = 0;
/** Besides memory and tcp, every shape also runs over TLS and a unix-domain socket. */
const everyTransport: Array<Shape & { address?: () => string }> = [
  ...transports,
  { name: 'tls', make: () => tcpTransport({ tls: { ca: pki.ca, key: pki.serverKey, cert: pki.serverCert } }) },
  {
    name: 'unix',
    make: () => tcpTransport(),
    address: () => `unix:${join(tmpdir(), `tsmicro-shapes-${process.pid}-${socketFiles++}.sock`)}`,
  },
];

describe.each(everyTransport)('four call shapes over $name', ({ make, address }) => {
  it('unary, server stream, client stream and bidi', async () => {
    const p = await pair({ transport: make(), ...(address ? { server: { address: address() } } : {}) });
    try {
      expect(await p.client.call('greeter', 'Greeter.hello', { name: 'Ada' }, { metadata: { who: 'me' } })).toEqual({
        msg: 'hello Ada',
        meta: 'me',
      });

      const ss = await p.client.stream<{ n: number }, number>('greeter', 'Greeter.count');
      await ss.send({ n: 5 });
      await ss.closeSend();
      const got: number[] = [];
      for await (const v of ss) got.push(v);
      expect(got).toEqual([0, 1, 2, 3, 4]);

      const cs = await p.client.stream<number, number>('greeter', 'Greeter.sum');
      for (let i = 1; i <= 10; i++) await cs.send(i);
      await cs.closeSend();
      const sums: number[] = [];
      for await (const v of cs) sums.push(v);
      expect(sums).toEqual([55]);

      const bidi = await p.client.stream<string, string>('greeter', 'Greeter.echo');
      const it = bidi[Symbol.asyncIterator]();
      await bidi.send('a');
      expect((await it.next()).value).toBe('A');
      await bidi.send('b');
      expect((await it.next()).value).toBe('B');
      await bidi.closeSend();
      expect((await it.next()).done).toBe(true);
    } finally {
      await p.close();
    }
  });

  it('multiplexes many concurrent calls over one connection', async () => {
    const p = await pair({ transport: make(), client: { poolSize: 1 }, ...(address ? { server: { address: address() } } : {}) });
    try {
      const n = 500;
      const res = await Promise.all(
        Array.from({ length: n }, (_, i) => p.client.call<{ msg: string }>('greeter', 'Greeter.hello', { name: `n${i}` })),
      );
      res.forEach((r, i) => {
        expect(r.msg).toBe(`hello n${i}`);
      });
    } finally {
      await p.close();
    }
  });
});
