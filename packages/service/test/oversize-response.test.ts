import { MicroError } from '@tsmicro/core';
import { serverStream } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { expect, it } from 'vitest';
import { pair } from './fixtures.js';

const limit = 64 * 1024;
const big = 'x'.repeat(limit * 2);

it('a response larger than the transport allows reaches the caller as a 413 at once, not a timeout', async () => {
  const p = await pair({
    transport: tcpTransport({ maxMessageSize: limit }),
    handlers: {
      Big: {
        sync: () => big,
        async later() {
          return big;
        },
        items: serverStream(async function* () {
          yield 'small';
          yield big;
        }),
      },
    },
    client: { retries: 0 },
  });
  try {
    for (const endpoint of ['Big.sync', 'Big.later']) {
      const started = Date.now();
      const err = await p.client.call('greeter', endpoint, {}, { timeout: 10_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroError);
      expect((err as MicroError).code).toBe(413);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    const s = await p.client.stream<unknown, string>('greeter', 'Big.items', { timeout: 10_000 });
    await s.send({});
    await s.closeSend();
    const got: string[] = [];
    const err = await (async () => {
      for await (const item of s) got.push(item);
    })().catch((e: unknown) => e);
    expect(got).toEqual(['small']);
    expect((err as MicroError).code).toBe(413);
    // The connection survives: the next call is answered.
    expect(await p.client.call('greeter', 'Big.sync', {}).catch((e: MicroError) => e.code)).toBe(413);
  } finally {
    await p.close();
  }
});
