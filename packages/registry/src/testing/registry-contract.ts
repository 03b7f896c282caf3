import { afterEach, describe, expect, it } from 'vitest';
import type { Registry, ServiceNode, ServiceRecord, WatchEvent } from '../registry.js';
import { trackHandles } from './handles.js';
import { nextMatching, waitFor } from './wait.js';

/** Options of {@link runRegistryContract}. */
export interface RegistryContractOptions {
  /** Shown in the describe title. */
  name: string;
  /** A fresh registry; the suite closes every one it makes. */
  newRegistry: () => Registry | Promise<Registry>;
  /** Multiplies ttls and waits, for backends with coarse leases (etcd rounds up to seconds). Default 1 (ttl 300 ms). */
  ttlScale?: number;
  /** True when separate `newRegistry()` instances share one backend and must see each other. Default false. */
  sharedBackend?: boolean;
}

/** A unique service name per test, so suites against shared backends never see each other's leftovers. */
export function uniqueName(prefix = 'contract'): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

export function makeNode(id: string, metadata: Record<string, string> = {}): ServiceNode {
  return { id, address: `127.0.0.1:${10_000 + Math.floor(Math.random() * 50_000)}`, metadata };
}

export function makeRecord(name: string, version: string, nodes: ServiceNode[], metadata: Record<string, string> = {}): ServiceRecord {
  return { name, version, metadata, endpoints: [{ name: 'Greeter.hello', metadata: { stream: 'false' } }], nodes };
}

const ids = (r: ServiceRecord | undefined) => (r?.nodes.map((n) => n.id) ?? []).sort();

/**
 * The behaviour every `Registry` owes, as vitest cases. Each implementation runs it in a few lines:
 * @example runRegistryContract({ name: 'memory', newRegistry: () => memoryRegistry() })
 */
export function runRegistryContract(o: RegistryContractOptions): void {
  const scale = o.ttlScale ?? 1;
  const ttl = 300 * scale;
  const wait = { timeout: Math.max(5000, 10 * ttl), interval: 20 };
  const expiry = { timeout: 4 * ttl + 1000 * scale, interval: 20 };
  const testTimeout = Math.max(20_000, 30 * ttl);
  const opened: Registry[] = [];
  const open = async () => {
    const r = await o.newRegistry();
    opened.push(r);
    return r;
  };
  const versionOf = async (r: Registry, name: string, version: string) => (await r.getService(name)).find((s) => s.version === version);

  describe(`registry contract: ${o.name}`, { timeout: testTimeout }, () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((r) => r.close()));
    });

    it('registers, gets, lists and deregisters', async () => {
      const r = await open();
      const name = uniqueName();
      const rec = makeRecord(name, '1.0.0', [makeNode('n1', { zone: 'a' })], { owner: 'team' });
      await r.register(rec);
      const got = await waitFor(() => versionOf(r, name, '1.0.0'), { ...wait, what: `${name} to be registered` });
      expect(got).toEqual(rec);
      const listed = await r.listServices();
      expect(listed.map((s) => s.name)).toContain(name);
      await r.deregister(rec);
      await waitFor(async () => (await r.getService(name)).length === 0, { ...wait, what: `${name} to be gone` });
    });

    it('returns [] for an unknown service', async () => {
      const r = await open();
      expect(await r.getService(uniqueName('unknown'))).toEqual([]);
    });

    it('keeps one record per version', async () => {
      const r = await open();
      const name = uniqueName();
      await r.register(makeRecord(name, '1', [makeNode('a')]));
      await r.register(makeRecord(name, '2', [makeNode('b'), makeNode('c')]));
      const all = await waitFor(async () => {
        const s = await r.getService(name);
        return s.length === 2 && s.every((v) => v.nodes.length > 0) ? s : undefined;
      }, wait);
      expect(all.map((s) => [s.version, ids(s)]).sort()).toEqual([
        ['1', ['a']],
        ['2', ['b', 'c']],
      ]);
      await r.deregister(makeRecord(name, '1', [makeNode('a')]));
      await waitFor(async () => (await r.getService(name)).map((s) => s.version).join() === '2', wait);
    });

    it('merges nodes of one version, removes only the given nodes, refreshes metadata', async () => {
      const r = await open();
      const name = uniqueName();
      const a = makeNode('a', { load: '1' });
      await r.register(makeRecord(name, '1', [a]));
      await r.register(makeRecord(name, '1', [makeNode('b')]));
      await waitFor(async () => ids(await versionOf(r, name, '1')).join() === 'a,b', wait);
      await r.register(makeRecord(name, '1', [{ ...a, metadata: { load: '2' } }]));
      await waitFor(async () => (await versionOf(r, name, '1'))?.nodes.find((n) => n.id === 'a')?.metadata.load === '2', wait);
      await r.deregister(makeRecord(name, '1', [a]));
      await waitFor(async () => ids(await versionOf(r, name, '1')).join() === 'b', wait);
    });

    it('returns copies that callers cannot use to change the registry', async () => {
      const r = await open();
      const name = uniqueName();
      await r.register(makeRecord(name, '1', [makeNode('a', { k: 'v' })]));
      const first = await waitFor(() => versionOf(r, name, '1'), wait);
      // a registry may hand out frozen records instead of copies: then the writes throw, which is fine too
      const tryWrite = (write: () => void) => {
        try {
          write();
        } catch {}
      };
      tryWrite(() => {
        first.nodes[0]!.metadata.k = 'changed';
      });
      tryWrite(() => first.nodes.push(makeNode('intruder')));
      const again = await versionOf(r, name, '1');
      expect(ids(again)).toEqual(['a']);
      expect(again?.nodes[0]?.metadata.k).toBe('v');
    });

    it('expires a node not re-registered within its ttl, and watchers see the delete', async () => {
      const r = await open();
      const name = uniqueName();
      const w = r.watch({ service: name })[Symbol.asyncIterator]();
      await r.register(makeRecord(name, '1', [makeNode('short')]), { ttl });
      await waitFor(() => versionOf(r, name, '1'), wait);
      const del = await nextMatching(w, (e) => e.action === 'delete', expiry.timeout);
      expect(ids(del.service)).toEqual(['short']);
      await waitFor(async () => (await r.getService(name)).length === 0, { ...expiry, what: 'the node to expire' });
      await w.return?.();
    });

    it('keeps a node alive past its ttl while it is re-registered (heartbeat)', async () => {
      const r = await open();
      const name = uniqueName();
      const rec = makeRecord(name, '1', [makeNode('beating')]);
      await r.register(rec, { ttl });
      await waitFor(() => versionOf(r, name, '1'), wait);
      const until = Date.now() + 3 * ttl;
      while (Date.now() < until) {
        await new Promise((res) => setTimeout(res, ttl / 3));
        await r.register(rec, { ttl });
        expect(ids(await versionOf(r, name, '1'))).toEqual(['beating']);
      }
      await waitFor(async () => (await r.getService(name)).length === 0, { ...expiry, what: 'expiry after the heartbeat stops' });
    });

    it('watch reports create, update (node added, metadata changed) and delete', async () => {
      const r = await open();
      const name = uniqueName();
      const w = r.watch({ service: name })[Symbol.asyncIterator]();
      const next = (match: (e: WatchEvent) => boolean) => nextMatching(w, match, wait.timeout);
      await r.register(makeRecord(name, '1', [makeNode('a')]));
      const created = await next(() => true);
      expect(created.action).toBe('create');
      expect(created.service.name).toBe(name);
      expect(ids(created.service)).toEqual(['a']);
      await r.register(makeRecord(name, '1', [makeNode('b')]));
      const added = await next(() => true);
      expect(added.action).toBe('update');
      expect(ids(added.service)).toContain('b');
      await r.register(makeRecord(name, '1', [makeNode('b', { weight: '5' })]));
      const changed = await next(() => true);
      expect(changed.action).toBe('update');
      expect(changed.service.nodes.find((n) => n.id === 'b')?.metadata.weight).toBe('5');
      await r.deregister(makeRecord(name, '1', [makeNode('a')]));
      const deleted = await next(() => true);
      expect(deleted.action).toBe('delete');
      expect(ids(deleted.service)).toEqual(['a']);
      await w.return?.();
    });

    it('watch filtered by service sees only that service', async () => {
      const r = await open();
      const wanted = uniqueName('wanted');
      const other = uniqueName('other');
      const w = r.watch({ service: wanted })[Symbol.asyncIterator]();
      await r.register(makeRecord(other, '1', [makeNode('x')]));
      await r.register(makeRecord(wanted, '1', [makeNode('y')]));
      const first = await nextMatching(w, () => true, wait.timeout);
      expect(first.service.name).toBe(wanted);
      await w.return?.();
    });

    it('watch ends when its signal aborts (also when aborted before)', async () => {
      const r = await open();
      const ac = new AbortController();
      const w = r.watch({ signal: ac.signal })[Symbol.asyncIterator]();
      const pending = w.next();
      ac.abort();
      expect((await pending).done).toBe(true);
      const dead = r.watch({ signal: AbortSignal.abort() })[Symbol.asyncIterator]();
      expect((await dead.next()).done).toBe(true);
    });

    it('watch ends on close()', async () => {
      const r = await o.newRegistry();
      const w = r.watch()[Symbol.asyncIterator]();
      const pending = w.next();
      await r.close();
      expect((await pending).done).toBe(true);
    });

    it('close() leaves no timer or socket behind', async () => {
      const handles = trackHandles();
      try {
        const r = await o.newRegistry();
        const name = uniqueName();
        const w = r.watch({ service: name })[Symbol.asyncIterator]();
        await r.register(makeRecord(name, '1', [makeNode('a')]), { ttl: 60_000 });
        await nextMatching(w, () => true, wait.timeout);
        await r.getService(name);
        await r.close();
        handles.freeze();
        await waitFor(() => handles.alive().length === 0, { timeout: 3000, what: 'handles to close' }).catch(() => {
          throw new Error(`still alive after close(): ${handles.alive().join(', ')}`);
        });
      } finally {
        handles.stop();
      }
    });

    describe.runIf(o.sharedBackend === true)('across instances', () => {
      it('another instance sees registrations and deregistrations', async () => {
        const [a, b] = [await open(), await open()];
        const name = uniqueName();
        const w = b.watch({ service: name })[Symbol.asyncIterator]();
        const rec = makeRecord(name, '1', [makeNode('remote', { k: 'v' })], { m: '1' });
        await a.register(rec, { ttl: 30_000 });
        expect((await nextMatching(w, (e) => e.action === 'create', wait.timeout)).service).toEqual(rec);
        expect(await waitFor(() => versionOf(b, name, '1'), wait)).toEqual(rec);
        await a.deregister(rec);
        await nextMatching(w, (e) => e.action === 'delete', wait.timeout);
        await waitFor(async () => (await b.getService(name)).length === 0, wait);
        await w.return?.();
      });

      it('a node of a closed (crashed) instance expires on the others within its ttl', async () => {
        const [a, b] = [await open(), await open()];
        const name = uniqueName();
        await a.register(makeRecord(name, '1', [makeNode('crashy')]), { ttl });
        await waitFor(() => versionOf(b, name, '1'), wait);
        await a.close();
        await waitFor(async () => (await b.getService(name)).length === 0, { ...expiry, what: 'the crashed node to expire' });
      });
    });
  });
}
