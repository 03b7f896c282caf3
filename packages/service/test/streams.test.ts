import type { Context } from '@tsmicro/core';
import { bidiStream, serverStream } from '@tsmicro/server';
import { describe, expect, it } from 'vitest';
import { pair, transports, until } from './fixtures.js';

describe.each(transports)('streams over $name', ({ make }) => {
  it('half-close ends the server input while responses keep flowing', async () => {
    const p = await pair({
      transport: make(),
      handlers: {
        H: {
          tally: bidiStream(async function* (reqs: AsyncIterable<string>) {
            let n = 0;
            for await (const r of reqs) {
              n++;
              yield `got ${r}`;
            }
            yield `input ended after ${n}`;
          }),
        },
      },
    });
    try {
      const s = await p.client.stream<string, string>('greeter', 'H.tally');
      await s.send('a');
      await s.send('b');
      await s.closeSend();
      const out: string[] = [];
      for await (const v of s) out.push(v);
      expect(out).toEqual(['got a', 'got b', 'input ended after 2']);
    } finally {
      await p.close();
    }
  });

  it('a slow consumer bounds how far the producer runs ahead (flow control)', async () => {
    let produced = 0;
    const p = await pair({
      transport: make(),
      // About 8 messages: each costs its JSON (up to 5 bytes) plus 64 bytes of credit.
      client: { streamWindow: 8 * 66 },
      handlers: {
        F: {
          firehose: serverStream(async function* (_req: unknown, ctx: Context) {
            while (!ctx.signal.aborted && produced < 10_000) {
              produced++;
              yield produced;
            }
          }),
        },
      },
    });
    try {
      const s = await p.client.stream<unknown, number>('greeter', 'F.firehose');
      await s.send({});
      await s.closeSend();
      const it = s[Symbol.asyncIterator]();
      let consumed = 0;
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 3; i++) {
          await it.next();
          consumed++;
        }
        // Give the producer every chance to run ahead; it must stop at the window.
        await new Promise((r) => setTimeout(r, 30));
        expect(produced - consumed).toBeLessThanOrEqual(8 + 1);
      }
      await it.return?.();
      expect(produced).toBeLessThan(100);
    } finally {
      await p.close();
    }
  });

  it('the producer also waits for a slow server consumer (client to server)', async () => {
    let consumed = 0;
    const gate = { open: () => {} };
    const opened = new Promise<void>((r) => {
      gate.open = r;
    });
    const p = await pair({
      transport: make(),
      server: { streamWindow: 4 * 1024 },
      handlers: {
        F: {
          sink: bidiStream(async function* (reqs: AsyncIterable<number>) {
            await opened;
            for await (const _ of reqs) consumed++;
            yield consumed;
          }),
        },
      },
    });
    try {
      const s = await p.client.stream<string, number>('greeter', 'F.sink');
      let sent = 0;
      const sending = (async () => {
        for (let i = 0; i < 100; i++) {
          await s.send('x'.repeat(8000));
          sent++;
        }
        await s.closeSend();
      })();
      await until(() => sent >= 4);
      await new Promise((r) => setTimeout(r, 30));
      // The initial window is 64 KiB (protocol) and each message costs 8002 + 64 bytes: a sender may start a
      // message while it has any credit left, so at most 9 go out before the server reads.
      expect(sent).toBeLessThanOrEqual(9);
      gate.open();
      await sending;
      const out: number[] = [];
      for await (const v of s) out.push(v);
      expect(out).toEqual([100]);
    } finally {
      gate.open();
      await p.close();
    }
  });
});
