import { requireServer } from '@tsmicro/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcdCluster } from '../../test/etcd-process.js';
import { makeNode, makeRecord, nextMatching, uniqueName, waitFor } from '../testing/index.js';
import { etcdRegistry } from './index.js';

// etcd.sh installs etcd and starts the shared one; these tests run their own etcd processes beside it,
// so stopping them never disturbs other test files using 127.0.0.1:2379.
const etcdUp = await requireServer('etcd', 2379);
const ids = (nodes: { id: string }[]) => nodes.map((n) => n.id).sort();

describe.runIf(etcdUp)('etcdRegistry across an etcd restart (own etcd process on a free port)', { timeout: 30_000 }, () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcdCluster(1);
  });
  afterAll(async () => {
    await etcd?.destroy();
  });

  it.each([
    ['keeps its data', false],
    ['lost its data', true],
  ])('re-registers and re-watches after etcd restarts and %s', async (_, wipe) => {
    const [member] = etcd.members;
    const r = etcdRegistry({ hosts: etcd.endpoints, timeout: 2000, retryDelay: 300 });
    const observer = etcdRegistry({ hosts: etcd.endpoints, timeout: 2000 });
    try {
      const name = uniqueName('restart');
      const w = r.watch({ service: name })[Symbol.asyncIterator]();
      await r.register(makeRecord(name, '1', [makeNode('a')]), { ttl: 30_000 });
      await nextMatching(w, (e) => e.action === 'create');

      await member!.stop();
      await expect(r.getService(name)).rejects.toMatchObject({ code: 503 });
      if (wipe) await member!.wipe();
      await member!.start();

      // the registry writes its node back (needed when etcd lost it) without waiting for a heartbeat
      await waitFor(async () => ids((await observer.getService(name))[0]?.nodes ?? []).join() === 'a', {
        timeout: 15_000,
        what: 'node a back in etcd',
      });
      // and its watch follows changes again
      await r.register(makeRecord(name, '1', [makeNode('b')]), { ttl: 30_000 });
      const seen = await nextMatching(w, (e) => e.service.nodes.some((n) => n.id === 'b'), 15_000);
      expect(ids(seen.service.nodes)).toEqual(['a', 'b']);
      await w.return?.();
    } finally {
      await Promise.all([r.close(), observer.close()]);
      // whatever happened, leave etcd running for the next case
      await member!.start();
    }
  });
});
