import { isMicroError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { staticRegistry } from './static.js';
import { makeNode, makeRecord, runRegistryContract, uniqueName } from './testing/index.js';

// Beyond its list it is a full registry: the contract every implementation owes.
runRegistryContract({ name: 'static', newRegistry: () => staticRegistry({}) });

describe('staticRegistry', () => {
  it('answers getService and listServices from the list at once, one node per distinct address', async () => {
    const r = staticRegistry(
      { greeter: ['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7001'], billing: '[::1]:9000' },
      { version: '2.0.0' },
    );
    try {
      const [greeter] = await r.getService('greeter');
      expect(greeter?.version).toBe('2.0.0');
      expect(greeter?.nodes.map((n) => [n.id, n.address])).toEqual([
        ['greeter@127.0.0.1:7001', '127.0.0.1:7001'],
        ['greeter@127.0.0.1:7002', '127.0.0.1:7002'],
      ]);
      expect((await r.getService('billing'))[0]?.nodes[0]?.address).toBe('[::1]:9000');
      expect((await r.listServices()).map((s) => s.name).sort()).toEqual(['billing', 'greeter']);
      expect(await r.getService('unknown')).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('watches: a service registered in the process beside the list is seen, the list stays', async () => {
    const r = staticRegistry({ greeter: '127.0.0.1:7001' });
    const ac = new AbortController();
    try {
      const name = uniqueName('static');
      const seen = (async () => {
        for await (const e of r.watch({ service: name, signal: ac.signal })) return e;
      })();
      await r.register(makeRecord(name, '1.0.0', [makeNode('n1')]));
      expect((await seen)?.action).toBe('create');
      expect((await r.getService('greeter'))[0]?.nodes).toHaveLength(1);
    } finally {
      ac.abort();
      await r.close();
    }
  });

  it.each([
    [{ greeter: 'localhost' }, /'localhost' of service greeter is not host:port/],
    [{ greeter: '127.0.0.1:0' }, /not host:port/],
    [{ greeter: '127.0.0.1:70000' }, /not host:port/],
    [{ greeter: [] }, /service greeter lists no address/],
  ])('refuses %j with a 400 that names the entry', (nodes, message) => {
    let thrown: unknown;
    try {
      staticRegistry(nodes);
    } catch (e) {
      thrown = e;
    }
    expect(isMicroError(thrown) && thrown.code).toBe(400);
    expect(String((thrown as Error).message)).toMatch(message);
  });
});
