import { setTimeout as sleep } from 'node:timers/promises';
import { MicroError } from '@tsmicro/core';
import { tcpTransport } from '@tsmicro/transport';
import { expect, it } from 'vitest';
import { pair } from './fixtures.js';

const limit = 64 * 1024;

it("a request over the server's maxMessageSize (the client allows it) is a 413 from the server, not a lost connection; other calls go on", async () => {
  let ran = 0;
  const p = await pair({
    // The client's transport allows large messages; the server's refuses them.
    transport: tcpTransport({ maxMessageSize: 16 * limit }),
    server: { transport: tcpTransport({ maxMessageSize: limit }) },
    handlers: {
      G: {
        async echo(req: { s: string; ms?: number }) {
          ran++;
          if (req.ms) await sleep(req.ms);
          return req.s.length;
        },
      },
    },
  });
  try {
    const slow = p.client.call('greeter', 'G.echo', { s: 'small', ms: 200 });
    const err = await p.client.call('greeter', 'G.echo', { s: 'x'.repeat(limit * 2) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicroError);
    expect((err as MicroError).code).toBe(413);
    expect((err as MicroError).detail).toMatch(/over the receiving server's maxMessageSize; it was refused unread/);
    // The call in flight on the same connection is not taken down with it, and the connection serves the next one.
    expect(await slow).toBe(5);
    expect(await p.client.call('greeter', 'G.echo', { s: 'after' })).toBe(5);
    expect(ran).toBe(2);
  } finally {
    await p.close();
  }
});
