import { createClient, defineService, serve } from '@tsmicro/client';
import type { Context } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { serverStream } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { createService } from '../src/index.js';

class Clock {
  private readonly epoch = 1_000;
  async now() {
    return { ms: this.epoch };
  }
  ticks = serverStream(async function* (req: { n: number }) {
    for (let i = 0; i < req.n; i++) yield i;
  });
}

const misc = {
  async ping(_req: undefined, ctx: Context) {
    return `pong from ${ctx.service}`;
  },
};

describe('defineService + serve over tcp', () => {
  it('serves every handler of a definition; its type alone types the proxy, including class handlers and no-request calls', async () => {
    const def = defineService('clock', { Clock: new Clock(), Misc: misc });
    const registry = memoryRegistry();
    const transport = tcpTransport();
    const service = createService({ name: def.name, registry, transport });
    serve(service, def);
    await service.start();
    const client = createClient({ transport, registry });
    try {
      const p = client.service<typeof def>('clock');
      expect(await p.Clock.now()).toEqual({ ms: 1000 });
      expect(await p.Misc.ping()).toBe('pong from clock');
      const got: number[] = [];
      for await (const i of p.Clock.ticks({ n: 3 }, { timeout: 2000 })) got.push(i);
      expect(got).toEqual([0, 1, 2]);
    } finally {
      await client.close();
      await service.stop();
      await registry.close();
    }
  });
});
