import { serviceUnavailable } from '@tsmicro/core';
import { memoryRegistry, type ServiceRecord } from '@tsmicro/registry';
import { trackHandles, waitFor } from '@tsmicro/registry/testing';
import { describe, expect, it } from 'vitest';
import { selectorFixture } from '../test/fixtures.js';
import { createSelector, type SelectorOptions } from './create-selector.js';
import { metadataFilter, preferFilter, versionFilter } from './filters.js';
import type { Next } from './selector.js';
import { consistentHash } from './strategies/consistent-hash.js';
import { leastLoaded } from './strategies/least-loaded.js';
import { roundRobin } from './strategies/round-robin.js';
import { contractNodes } from './testing/index.js';

const fail = serviceUnavailable('scripted failure');
const record = (version: string, count: number, prefix = 'n'): ServiceRecord => ({
  name: 'svc',
  version,
  metadata: {},
  endpoints: [],
  nodes: contractNodes(count, prefix).map((n, i) => ({ ...n, metadata: { zone: i === 0 ? 'near' : 'far' } })),
});

describe('createSelector', () => {
  const t = selectorFixture();
  const setup = (records: ServiceRecord[], o?: Partial<SelectorOptions>) => t.start(records, o);
  /** One call on the next node; fails when `bad` says so. */
  const call = (next: Next, bad: (id: string) => boolean = () => false) => {
    const s = next();
    s.done(bad(s.node.id) ? { error: fail } : {});
    return s.node.id;
  };

  it('rejects with serviceUnavailable for unknown services and filters that leave nothing', async () => {
    const sel = await setup([record('1.0.0', 2)]);
    await expect(sel.select('nope')).rejects.toMatchObject({ code: 503, detail: expect.stringMatching(/nope.*not registered/) });
    await expect(sel.select('svc', { filters: [versionFilter('^2')] })).rejects.toMatchObject({
      detail: expect.stringMatching(/svc.*filters/),
    });
  });

  it('leastLoaded is the default: an idle node is preferred over one with calls in flight, where round robin would take its turn', async () => {
    t.registry = memoryRegistry();
    await t.registry.register(record('1.0.0', 3));
    // P2C with this random always compares the first two nodes.
    t.selector = createSelector({ registry: t.registry, random: () => 0 });
    const held = (await t.selector.select('svc'))();
    expect(held.node.id).toBe('n0');
    // Round robin would go on to n1 and then n2; least loaded takes n1 (n0 is busy) each time.
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(call(await t.selector.select('svc')));
    expect(ids).toEqual(['n1', 'n1', 'n1']);
    held.done();
    expect(call(await t.selector.select('svc'))).toBe('n0');
  });

  it('selectNow picks without waiting once the nodes are cached, and leaves the first lookup to select', async () => {
    const sel = await setup([record('1.0.0', 3)]);
    expect(sel.selectNow?.('svc')).toBeUndefined();
    await sel.select('svc');
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const next = sel.selectNow?.('svc');
      if (!next) throw new Error('selectNow found no cached nodes');
      seen.add(call(next));
    }
    // The strategy's state is shared with select: round robin goes through every node.
    expect(seen.size).toBe(3);
    expect(() => sel.selectNow?.('svc', { filters: [versionFilter('^2')] })).toThrow(/no node passes the filters/);
    expect(sel.selectNow?.('nope')).toBeUndefined();
    // A Next from selectNow still hands out distinct nodes for retries.
    const next = sel.selectNow?.('svc');
    if (!next) throw new Error('selectNow found no cached nodes');
    expect(new Set([call(next), call(next), call(next)]).size).toBe(3);
  });

  it('applies filters across versions', async () => {
    const sel = await setup([record('1.0.0', 2, 'a'), record('2.0.0', 2, 'b')]);
    const next = await sel.select('svc', { filters: [versionFilter('2.x')] });
    expect([call(next), call(next)].sort()).toEqual(['b0', 'b1']);
    const near = await sel.select('svc', { filters: [metadataFilter({ zone: 'near' })] });
    expect(['a0', 'b0']).toContain(call(near));
  });

  it('ejects a node after consecutive failures, probes it once when the period ends, restores it on success', async () => {
    const sel = await setup([record('1.0.0', 3)], { outlier: { consecutiveFailures: 3, baseEjection: 1000 } });
    let broken = true;
    const bad = (id: string) => broken && id === 'n0';
    for (let i = 0; i < 9; i++) call(await sel.select('svc'), bad);
    const picked = new Set<string>();
    for (let i = 0; i < 50; i++) picked.add(call(await sel.select('svc'), bad));
    expect(picked.has('n0')).toBe(false);
    t.clock = 1000;
    // One probe at a time: while it is in flight, n0 stays out.
    const probes: string[] = [];
    const held = [];
    for (let i = 0; i < 6; i++) {
      const s = (await sel.select('svc'))();
      probes.push(s.node.id);
      held.push(s);
    }
    expect(probes.filter((id) => id === 'n0')).toHaveLength(1);
    broken = false;
    for (const s of held) s.done();
    const after: string[] = [];
    for (let i = 0; i < 30; i++) after.push(call(await sel.select('svc'), bad));
    expect(after.filter((id) => id === 'n0').length).toBe(10);
  });

  it('doubles the ejection period when a probe fails, up to the cap', async () => {
    const sel = await setup([record('1.0.0', 3)], { outlier: { consecutiveFailures: 2, baseEjection: 1000, maxEjection: 3000 } });
    const bad = (id: string) => id === 'n0';
    const n0Selected = async () => {
      const seen: string[] = [];
      for (let i = 0; i < 6; i++) seen.push(call(await sel.select('svc'), bad));
      return seen.includes('n0');
    };
    for (let i = 0; i < 6; i++) call(await sel.select('svc'), bad);
    for (const [at, expected] of [
      [999, false],
      [1000, true], // probe fails → ejected for 2000
      [2999, false],
      [3000, true], // fails → 4000 capped to 3000
      [5999, false],
      [6000, true],
    ] as const) {
      t.clock = at;
      expect(await n0Selected(), `at ${at}`).toBe(expected);
    }
  });

  it('a probe whose done() never comes does not lock the node out for good', async () => {
    const sel = await setup([record('1.0.0', 3)], { outlier: { consecutiveFailures: 1, baseEjection: 1000 } });
    for (let i = 0; i < 3; i++) call(await sel.select('svc'), (id) => id === 'n0');
    t.clock = 1000;
    const lost: string[] = [];
    for (let i = 0; i < 3; i++) lost.push((await sel.select('svc'))().node.id); // never done()
    expect(lost).toContain('n0');
    t.clock = 1999;
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(call(await sel.select('svc')));
    expect(seen.has('n0')).toBe(false);
    t.clock = 2000;
    for (let i = 0; i < 6; i++) seen.add(call(await sel.select('svc')));
    expect(seen.has('n0')).toBe(true);
  });

  it('preferFilter keeps to the near node and falls back to all while it is ejected', async () => {
    const sel = await setup([record('1.0.0', 3)], { outlier: { consecutiveFailures: 2, baseEjection: 1000 } });
    const near = { filters: [preferFilter((n) => n.metadata.zone === 'near')] };
    for (let i = 0; i < 5; i++) expect(call(await sel.select('svc', near))).toBe('n0');
    for (let i = 0; i < 2; i++) call(await sel.select('svc', near), () => true);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add(call(await sel.select('svc', near)));
    expect([...seen].sort()).toEqual(['n1', 'n2']);
    t.clock = 1000;
    for (let i = 0; i < 3; i++) call(await sel.select('svc', near));
    expect(call(await sel.select('svc', near))).toBe('n0');
  });

  it('ejects on failure rate within the window', async () => {
    const sel = await setup([record('1.0.0', 2)], { outlier: { consecutiveFailures: 100, failureRate: 0.5, minCalls: 10 } });
    let k = 0;
    // n0 fails every other call: never 100 in a row, but 50% of its calls.
    for (let i = 0; i < 40; i++) call(await sel.select('svc'), (id) => id === 'n0' && k++ % 2 === 0);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(call(await sel.select('svc')));
    expect([...seen]).toEqual(['n1']);
  });

  it('never ejects the last healthy node, and caps ejection at the percentage', async () => {
    const sel = await setup([record('1.0.0', 4)], { outlier: { consecutiveFailures: 1, maxEjectionPercent: 50 } });
    for (let i = 0; i < 200; i++) call(await sel.select('svc'), () => true);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(call(await sel.select('svc')));
    expect(seen.size).toBe(2);
    const one = await setup([record('1.0.0', 1)], { outlier: { consecutiveFailures: 1 } });
    for (let i = 0; i < 20; i++) expect(call(await one.select('svc'), () => true)).toBe('n0');
  });

  it('counts only node failures: a 404 or a cancellation does not eject', async () => {
    const sel = await setup([record('1.0.0', 2)], { outlier: { consecutiveFailures: 2 } });
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    for (let i = 0; i < 20; i++) {
      const s = (await sel.select('svc'))();
      s.done({ error: i % 2 ? abort : { name: 'MicroError', code: 404, detail: 'no such user' } });
    }
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(call(await sel.select('svc')));
    expect(seen.size).toBe(2);
  });

  it('feeds in-flight counts and latency to leastLoaded', async () => {
    const sel = await setup([record('1.0.0', 3)], { strategy: leastLoaded });
    // Warm up: n0 answers in 1 ms, the others in 50 ms.
    for (let i = 0; i < 60; i++) {
      const s = (await sel.select('svc'))();
      t.clock += s.node.id === 'n0' ? 1 : 50;
      s.done();
    }
    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const s = (await sel.select('svc'))();
      counts.set(s.node.id, (counts.get(s.node.id) ?? 0) + 1);
      t.clock += s.node.id === 'n0' ? 1 : 50;
      s.done();
    }
    expect((counts.get('n0') ?? 0) / 300).toBeGreaterThan(0.6);
  });

  it('gives a key the same node, and its retry the next distinct node', async () => {
    const sel = await setup([record('1.0.0', 5)], { strategy: consistentHash });
    const a = await sel.select('svc', { key: 'user-7' });
    const b = await sel.select('svc', { key: 'user-7' });
    const first = call(a);
    expect(call(b)).toBe(first);
    expect(call(a)).not.toBe(first);
  });

  it('done() is idempotent and reset() forgets state', async () => {
    const sel = await setup([record('1.0.0', 2)], { strategy: roundRobin, outlier: { consecutiveFailures: 1 } });
    const s = (await sel.select('svc'))();
    s.done({ error: fail });
    s.done({ error: fail });
    const ejected = s.node.id;
    for (let i = 0; i < 4; i++) expect(call(await sel.select('svc'))).not.toBe(ejected);
    sel.reset('svc');
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(call(await sel.select('svc')));
    expect(seen.has(ejected)).toBe(true);
  });

  it('rejects select after close', async () => {
    const sel = await setup([record('1.0.0', 1)]);
    await sel.close();
    await expect(sel.select('svc')).rejects.toMatchObject({ code: 503, detail: expect.stringContaining('closed') });
  });

  it('follows the registry through its watch-driven cache', async () => {
    const sel = await setup([record('1.0.0', 2)], { strategy: roundRobin });
    const ids = async () => {
      const next = await sel.select('svc');
      return new Set([call(next), call(next), call(next)]);
    };
    expect((await ids()).size).toBe(2);
    await t.registry.register(record('1.0.0', 3));
    await waitFor(async () => (await ids()).has('n2'), { what: 'n2 to be selected' });
    await t.registry.deregister({ ...record('1.0.0', 3), nodes: record('1.0.0', 3).nodes.slice(0, 2) });
    await waitFor(async () => (await ids()).size === 1, { what: 'only n2 left' });
    expect([...(await ids())]).toEqual(['n2']);
  });

  it('close() leaves no timer or watch running', async () => {
    const handles = trackHandles();
    try {
      const sel = await setup([record('1.0.0', 2)]);
      call(await sel.select('svc'));
      await sel.close();
      await t.registry.close();
      handles.freeze();
      await waitFor(() => handles.alive().length === 0, { what: 'handles to close' });
    } finally {
      handles.stop();
    }
  });
});
