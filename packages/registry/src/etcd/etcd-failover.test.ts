import { requireServer } from '@tsmicro/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcdCluster, waitHealthy } from '../../test/etcd-process.js';
import { makeNode, makeRecord, nextMatching, uniqueName, waitFor } from '../testing/index.js';
import { etcdRegistry } from './index.js';

const etcdUp = await requireServer('etcd', 2379);

describe.runIf(etcdUp)('etcdRegistry on a 3-member etcd cluster (own processes on free ports)', { timeout: 30_000 }, () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcdCluster(3);
  });
  afterAll(async () => {
    await etcd?.destroy();
  });

  it('keeps registering, reading and watching while any one member is down', async () => {
    const r = etcdRegistry({ hosts: etcd.endpoints, timeout: 3000, retryDelay: 300 });
    try {
      const name = uniqueName('failover');
      const w = r.watch({ service: name })[Symbol.asyncIterator]();
      await r.register(makeRecord(name, '1', [makeNode('first')]), { ttl: 30_000 });
      await nextMatching(w, (e) => e.action === 'create');
      // one member at a time, so whichever member the watch stream uses is failed once
      for (const member of etcd.members) {
        await member.stop();
        try {
          const id = `while-${member.name}-down`;
          await r.register(makeRecord(name, '1', [makeNode(id)]), { ttl: 30_000 });
          const seen = await nextMatching(w, (e) => e.service.nodes.some((n) => n.id === id), 10_000);
          expect(seen.action).toBe('update');
          const got = await waitFor(async () => (await r.getService(name))[0]?.nodes.find((n) => n.id === id), { timeout: 10_000 });
          expect(got.id).toBe(id);
        } finally {
          await member.start();
          await waitHealthy(member);
        }
      }
      expect((await r.getService(name))[0]?.nodes).toHaveLength(4);
      await w.return?.();
    } finally {
      await r.close();
    }
  });
});
