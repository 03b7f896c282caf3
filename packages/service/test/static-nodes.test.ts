import { createClient } from '@tsmicro/client';
import { staticRegistry } from '@tsmicro/registry';
import { createServer } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';

describe('calling by name over a static node list (no discovery)', () => {
  it('spreads calls over every listed node and retries a dead one on the next', async () => {
    const transport = tcpTransport();
    const servers = await Promise.all(
      ['a', 'b'].map(async (id) => {
        const s = createServer({ name: 'greeter', transport, address: '127.0.0.1:0' });
        s.handle('Greeter', { hello: (req: { name: string }) => ({ msg: `hello ${req.name}`, from: id }) });
        await s.start();
        return s;
      }),
    );
    // 127.0.0.1:1 refuses connections: a listed node that is down.
    const registry = staticRegistry({ greeter: [...servers.map((s) => s.address), '127.0.0.1:1'] });
    const client = createClient({ transport, registry, retries: 1 });
    try {
      const from = new Set<string>();
      for (let i = 0; i < 9; i++) {
        const r = await client.call<{ msg: string; from: string }>('greeter', 'Greeter.hello', { name: `n${i}` });
        expect(r.msg).toBe(`hello n${i}`);
        from.add(r.from);
      }
      expect([...from].sort()).toEqual(['a', 'b']);
    } finally {
      await client.close();
      await registry.close();
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});
