import { isMicroError, silentLogger } from '@tsmicro/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryRegistry } from '../memory.js';
import type { Registry, WatchEvent, WatchOptions } from '../registry.js';
import { makeNode, makeRecord, runRegistryContract, trackHandles, uniqueName, waitFor } from '../testing/index.js';
import { cacheRegistry } from './cache.js';

runRegistryContract({ name: 'cache over memory', newRegistry: () => cacheRegistry(memoryRegistry(), { closeInner: true }) });

/** Delegates to a real registry, counting lookups and open watches; `failing = true` makes it act unreachable. */
function instrumented(inner: Registry) {
  const watches = new Set<AbortController>();
  const state = { lookups: 0, openWatches: 0, failing: false, hangMs: 0 };
  const down = () => new Error('backend unreachable');
  const registry: Registry = {
    name: 'instrumented',
    register: (s, o) => inner.register(s, o),
    deregister: (s) => inner.deregister(s),
    listServices: () => inner.listServices(),
    async getService(name) {
      state.lookups++;
      // A dead backend whose client waits for a connection until its own timeout (etcd after a while down).
      if (state.failing && state.hangMs > 0) await new Promise((r) => setTimeout(r, state.hangMs));
      if (state.failing) throw down();
      return inner.getService(name);
    },
    watch(o: WatchOptions = {}) {
      return (async function* (): AsyncGenerator<WatchEvent> {
        if (state.failing) throw down();
        const ac = new AbortController();
        watches.add(ac);
        state.openWatches++;
        try {
          const signal = o.signal ? AbortSignal.any([o.signal, ac.signal]) : ac.signal;
          yield* inner.watch({ ...o, signal });
          if (state.failing && !o.signal?.aborted) throw down();
        } finally {
          watches.delete(ac);
          state.openWatches--;
        }
      })();
    },
    close: () => inner.close(),
  };
  const setFailing = (failing: boolean) => {
    state.failing = failing;
    // an outage also breaks the watches, as a lost connection would
    if (failing) for (const ac of watches) ac.abort();
  };
  return { registry, state, setFailing };
}

describe('cacheRegistry', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const setup = (o: Parameters<typeof cacheRegistry>[1] = {}) => {
    const mem = memoryRegistry();
    const inst = instrumented(mem);
    const cache = cacheRegistry(inst.registry, o);
    cleanup.push(
      () => mem.close(),
      () => cache.close(),
    );
    return { mem, cache, ...inst };
  };

  it('coalesces concurrent lookups into one backend call and serves hits from memory', async () => {
    const { mem, cache, state } = setup();
    const name = uniqueName();
    await mem.register(makeRecord(name, '1', [makeNode('a')]));
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.getService(name)));
    expect(state.lookups).toBe(1);
    for (const r of results) expect(r.map((s) => s.nodes.map((n) => n.id))).toEqual([['a']]);
    for (let i = 0; i < 100; i++) await cache.getService(name);
    expect(state.lookups).toBe(1);
    expect(state.openWatches).toBe(1);
  });

  it('peek answers from memory without a promise: fresh entries, and stale ones while one background lookup refreshes them', async () => {
    const { mem, cache, state } = setup({ ttl: 200, minRefreshInterval: 100 });
    const name = uniqueName();
    await mem.register(makeRecord(name, '1', [makeNode('a')]));
    expect(cache.peek(name)).toBeUndefined();
    await cache.getService(name);
    const first = cache.peek(name);
    expect(first?.map((r) => r.nodes.map((n) => n.id))).toEqual([['a']]);
    expect(Object.isFrozen(first)).toBe(true);
    // The same snapshot until something changes: a selector recognises its node set by identity.
    expect(cache.peek(name)).toBe(first);
    await mem.register(makeRecord(name, '1', [makeNode('a'), makeNode('b')]));
    await waitFor(() => cache.peek(name)?.[0]?.nodes.length === 2, { timeout: 2000, what: 'the watch event in peek' });
    expect(state.lookups).toBe(1);
    // Past the ttl peek still answers from the stale records at once, and one background lookup refreshes them.
    await new Promise((r) => setTimeout(r, 250));
    expect(cache.peek(name)?.[0]?.nodes.length).toBe(2);
    await waitFor(() => state.lookups === 2, { timeout: 2000, what: 'the background refresh peek started' });
    await cache.close();
    expect(cache.peek(name)).toBeUndefined();
  });

  it('keeps entries current from watch events without asking the backend again', async () => {
    const { mem, cache, state } = setup();
    const name = uniqueName();
    await mem.register(makeRecord(name, '1', [makeNode('a')]));
    expect((await cache.getService(name))[0]?.nodes).toHaveLength(1);
    await mem.register(makeRecord(name, '1', [makeNode('b', { w: '1' })]));
    await waitFor(async () => (await cache.getService(name))[0]?.nodes.length === 2, { what: 'the added node' });
    await mem.register(makeRecord(name, '2', [makeNode('c')]));
    await waitFor(async () => (await cache.getService(name)).length === 2, { what: 'the new version' });
    await mem.deregister(makeRecord(name, '1', [makeNode('a'), makeNode('b')]));
    await waitFor(async () => (await cache.getService(name)).map((s) => s.version).join() === '2', { what: 'the removal' });
    // an unknown service is cached as [] and learns about its first registration from the watch
    const later = uniqueName('later');
    expect(await cache.getService(later)).toEqual([]);
    await mem.register(makeRecord(later, '1', [makeNode('z')]));
    await waitFor(async () => (await cache.getService(later)).length === 1, { what: 'the late registration' });
    expect(state.lookups).toBe(2);
  });

  it('hands out frozen records', async () => {
    const { mem, cache } = setup();
    const name = uniqueName();
    await mem.register(makeRecord(name, '1', [makeNode('a', { k: 'v' })]));
    const [rec] = await cache.getService(name);
    expect(() => {
      rec!.nodes[0]!.metadata.k = 'x';
    }).toThrow(TypeError);
    expect(Object.isFrozen(rec?.nodes)).toBe(true);
  });

  it('hands out one frozen list per service state: a caller changing it cannot corrupt the cache', async () => {
    const { mem, cache } = setup();
    const name = uniqueName();
    await mem.register(makeRecord(name, '1', [makeNode('a')]));
    await mem.register(makeRecord(name, '2', [makeNode('b')]));
    const first = await cache.getService(name);
    expect(await cache.getService(name)).toBe(first);
    expect(cache.peek(name)).toBe(first);
    expect(() => first.pop()).toThrow(TypeError);
    expect(() => first.push(makeRecord(name, '3', [makeNode('c')]))).toThrow(TypeError);
    expect(() => first.sort()).toThrow(TypeError);
    expect((await cache.getService(name)).map((r) => r.version).sort()).toEqual(['1', '2']);
    // A change hands out a new list; the one already handed out stays as it was.
    await mem.register(makeRecord(name, '3', [makeNode('c')]));
    await waitFor(async () => (await cache.getService(name)).length === 3, { what: 'the new version' });
    expect(first.map((r) => r.version).sort()).toEqual(['1', '2']);
  });

  it('serves stale records while the backend fails, with a warning and a bounded refresh rate', async () => {
    const logger = silentLogger();
    const warn = vi.spyOn(logger, 'warn');
    const child = vi.spyOn(logger, 'child').mockReturnValue(logger);
    const { mem, cache, state, setFailing } = setup({ ttl: 20, minRefreshInterval: 100, logger });
    const name = uniqueName();
    await mem.register(makeRecord(name, '1', [makeNode('a')]));
    await cache.getService(name);
    setFailing(true);
    const started = Date.now();
    const before = state.lookups;
    let served = 0;
    while (Date.now() - started < 500) {
      const got = await cache.getService(name);
      expect(got[0]?.nodes.map((n) => n.id)).toEqual(['a']);
      served++;
      await new Promise((r) => setTimeout(r, 5));
    }
    const elapsed = Date.now() - started;
    expect(served).toBeGreaterThan(20);
    expect(state.lookups - before).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(warn).toHaveBeenCalled();
    // recovery: the next refresh after the interval sees fresh data and the watch comes back
    await mem.register(makeRecord(name, '1', [makeNode('b')]));
    setFailing(false);
    await waitFor(async () => (await cache.getService(name))[0]?.nodes.length === 2, { what: 'recovery' });
    await waitFor(() => state.openWatches === 1, { what: 'the watch to restart' });
    child.mockRestore();
  });

  it('answers an expired entry from its stale records at once while the backend hangs, refreshing behind the caller', async () => {
    const { mem, cache, state, setFailing } = setup({ ttl: 50, minRefreshInterval: 100, lookupTimeout: 2000 });
    const name = uniqueName();
    await mem.register(makeRecord(name, '1', [makeNode('a')]));
    await cache.getService(name);
    state.hangMs = 1500;
    setFailing(true);
    await new Promise((r) => setTimeout(r, 80)); // past the ttl
    const before = state.lookups;
    const slowest = { ms: 0 };
    const started = performance.now();
    while (performance.now() - started < 600) {
      const t = performance.now();
      const got = await cache.getService(name);
      slowest.ms = Math.max(slowest.ms, performance.now() - t);
      expect(got[0]?.nodes.map((n) => n.id)).toEqual(['a']);
      await new Promise((r) => setTimeout(r, 10));
    }
    // Without stale-while-revalidate the first lookup past the ttl waits the backend's 1.5 s.
    expect(slowest.ms).toBeLessThan(100);
    // One background lookup at a time (each hangs 1.5 s), not one per caller.
    expect(state.lookups - before).toBe(1);
    // back up: the background refresh brings the new node in
    await mem.register(makeRecord(name, '1', [makeNode('b')]));
    state.hangMs = 0;
    setFailing(false);
    await waitFor(async () => (await cache.getService(name))[0]?.nodes.length === 2, { what: 'the refresh after recovery', timeout: 5000 });
  });

  it('fails with a 503 when the backend fails and nothing is cached, without hammering it', async () => {
    const { cache, state, setFailing } = setup({ minRefreshInterval: 10_000 });
    setFailing(true);
    const name = uniqueName();
    const e1 = await cache.getService(name).catch((e: unknown) => e);
    const e2 = await cache.getService(name).catch((e: unknown) => e);
    expect(isMicroError(e1) && e1.code === 503 && e1.detail.includes(name)).toBe(true);
    expect(isMicroError(e2) && e2.code === 503).toBe(true);
    expect(state.lookups).toBe(1);
  });

  it('close() stops every watch, clears its timers and leaves the inner registry open', async () => {
    const handles = trackHandles();
    const mem = memoryRegistry();
    const inst = instrumented(mem);
    const cache = cacheRegistry(inst.registry);
    const names = [uniqueName(), uniqueName(), uniqueName()];
    for (const n of names) await mem.register(makeRecord(n, '1', [makeNode('a')]));
    for (const n of names) await cache.getService(n);
    expect(inst.state.openWatches).toBe(3);
    await cache.close();
    expect(inst.state.openWatches).toBe(0);
    await expect(cache.getService(names[0]!)).rejects.toThrow(/closed/);
    expect(await mem.getService(names[0]!)).toHaveLength(1);
    await mem.close();
    handles.freeze();
    await waitFor(() => handles.alive().length === 0, { timeout: 2000 }).catch(() => {
      throw new Error(`left running: ${handles.alive().join()}`);
    });
    handles.stop();
  });
});
