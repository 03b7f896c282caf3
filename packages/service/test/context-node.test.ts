import type { ServerContext } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { expect, it } from 'vitest';
import { pair } from './fixtures.js';

it("a handler's context names this server's node and the caller's address", async () => {
  const p = await pair({
    transport: tcpTransport(),
    handlers: { W: { who: async (_: unknown, ctx: ServerContext) => ({ node: ctx.node, peer: ctx.peer }) } },
  });
  try {
    const got = await p.client.call<{ node: string; peer: string }>('greeter', 'W.who', {});
    expect(got.node).toBe((await p.registry.getService('greeter'))[0]?.nodes[0]?.id);
    // The caller's end of the tcp connection: loopback, an ephemeral port that is not the server's.
    expect(got.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(got.peer).not.toBe(p.server.address);
  } finally {
    await p.close();
  }
});
