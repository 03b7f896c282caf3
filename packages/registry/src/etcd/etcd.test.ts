import { requireServer } from '@tsmicro/core/testing';
import { describe, expect, it } from 'vitest';
import type { Registry } from '../registry.js';
import { makeNode, makeRecord, nextMatching, runRegistryContract, uniqueName } from '../testing/index.js';
import { etcdRegistry } from './index.js';

const etcdUp = await requireServer('etcd', 2379);
// each run gets its own prefix, so parallel runs and leftovers never meet
const prefix = `/tsmicro-test/${process.pid}-${Date.now()}/`;

describe.runIf(etcdUp)('etcdRegistry against etcd on 127.0.0.1:2379', () => {
  runRegistryContract({
    name: 'etcd',
    newRegistry: () => etcdRegistry({ prefix }),
    // etcd leases count whole seconds and etcd raises short ones to its minimum (about 2 s)
    ttlScale: 4,
    sharedBackend: true,
  });

  it('stores one key per node under the prefix, in the documented layout', async () => {
    const r = etcdRegistry({ prefix });
    try {
      const name = uniqueName('layout');
      await r.register(makeRecord(name, '1.0', [makeNode('n/1'), makeNode('n2')]), { ttl: 10_000 });
      const { Etcd3 } = await import('etcd3');
      const raw = new Etcd3({ hosts: 'http://127.0.0.1:2379' });
      try {
        const keys = Object.keys(await raw.getAll().prefix(`${prefix}${name}/`).strings()).sort();
        expect(keys).toEqual([`${prefix}${name}/1.0/n%2F1`, `${prefix}${name}/1.0/n2`]);
      } finally {
        raw.close();
      }
    } finally {
      await r.close();
    }
  });

  it('reports a heartbeat that changes nothing as nothing', async () => {
    const r: Registry = etcdRegistry({ prefix });
    try {
      const name = uniqueName('quiet');
      const rec = makeRecord(name, '1', [makeNode('a')]);
      const w = r.watch({ service: name })[Symbol.asyncIterator]();
      await r.register(rec, { ttl: 10_000 });
      await nextMatching(w, (e) => e.action === 'create');
      for (let i = 0; i < 3; i++) await r.register(rec, { ttl: 10_000 });
      await r.register(makeRecord(name, '1', [makeNode('b')]), { ttl: 10_000 });
      const next = await nextMatching(w, () => true);
      expect(next.action).toBe('update');
      expect(next.service.nodes.map((n) => n.id).sort()).toEqual(['a', 'b']);
      await w.return?.();
    } finally {
      await r.close();
    }
  });
});

describe('etcdRegistry without etcd', () => {
  it('fails within its timeout with a MicroError naming the address when nothing answers', async () => {
    const r = etcdRegistry({ hosts: ['127.0.0.1:1'], timeout: 500 });
    const started = Date.now();
    try {
      await expect(r.getService('x')).rejects.toMatchObject({
        name: 'MicroError',
        code: 503,
        detail: expect.stringContaining('127.0.0.1:1'),
      });
      await expect(r.register(makeRecord('x', '1', [makeNode('a')]))).rejects.toMatchObject({ code: 503 });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await r.close();
    }
  });
});
