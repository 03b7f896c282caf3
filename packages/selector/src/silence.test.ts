import { serviceUnavailable } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { describe, expect, it } from 'vitest';
import { selectorFixture } from '../test/fixtures.js';
import { createSelector, type SelectorOptions } from './create-selector.js';
import type { Selection, Selector } from './selector.js';
import { leastLoaded } from './strategies/least-loaded.js';
import { contractNodes } from './testing/index.js';

describe('passing over a silent node', () => {
  const t = selectorFixture();
  const setup = (count: number, o?: Partial<SelectorOptions>) =>
    t.start([{ name: 'svc', version: '1', metadata: {}, endpoints: [], nodes: contractNodes(count) }], o);
  const pick = async (sel: Selector): Promise<Selection> => (await sel.select('svc'))();

  /** Every node answers a call each ms for 20 ms: each learns a usual gap of about 1 ms. */
  const warm = async (sel: Selector, count: number) => {
    for (let i = 0; i < 20; i++) {
      const held = [];
      for (let j = 0; j < count; j++) held.push(await pick(sel));
      t.clock += 1;
      for (const s of held) s.done();
    }
  };

  /** Node `n0` gets a call that it never answers, while the others answer theirs at once. */
  const freezeN0 = async (sel: Selector): Promise<Selection> => {
    for (;;) {
      const s = await pick(sel);
      if (s.node.id === 'n0') return s;
      s.done();
    }
  };

  /** Selections not answered yet: n0's, while it is frozen. */
  let unanswered: Selection[] = [];
  /** `n` calls; every node answers at once but `frozen` ones, whose calls stay in flight. */
  const picks = async (sel: Selector, n: number, frozen = ['n0']) => {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      const s = await pick(sel);
      seen.push(s.node.id);
      if (frozen.includes(s.node.id)) unanswered.push(s);
      else s.done();
    }
    return seen;
  };
  /** The frozen node answers everything it was sent. */
  const thaw = () => {
    for (const s of unanswered) s.done();
    unanswered = [];
  };

  it('a node with a call in flight and no answer for its floor (5 ms; its gap is ~1 ms) gets no new calls; its next answer brings it back', async () => {
    const sel = await setup(3);
    await warm(sel, 3);
    await picks(sel, 3);
    t.clock += 4;
    // Not yet: 4 ms is inside the floor.
    expect(await picks(sel, 6)).toContain('n0');
    t.clock += 2;
    // 6 ms without an answer from n0 while the others answer at once: passed over, not failed.
    const during = await picks(sel, 30);
    expect(during).not.toContain('n0');
    expect(new Set(during)).toEqual(new Set(['n1', 'n2']));
    thaw();
    expect(await picks(sel, 6, [])).toContain('n0');
  });

  it("the limit follows the node's usual gap: a node that answers every 20 ms is still chosen after 40 ms of silence, not after 100", async () => {
    const sel = await setup(2);
    for (let i = 0; i < 20; i++) {
      const a = await pick(sel);
      const b = await pick(sel);
      t.clock += 20;
      a.done();
      b.done();
    }
    await picks(sel, 2);
    t.clock += 40;
    expect(await picks(sel, 4)).toContain('n0');
    t.clock += 60;
    expect(await picks(sel, 10)).not.toContain('n0');
    thaw();
  });

  it('a failure is no answer: a node whose calls fail (a lost connection, a timeout) stays passed over', async () => {
    const sel = await setup(3, { outlier: false });
    await warm(sel, 3);
    await picks(sel, 3);
    const failing = await freezeN0(sel);
    t.clock += 10;
    failing.done({ error: serviceUnavailable('connection lost') });
    expect(await picks(sel, 12)).not.toContain('n0');
    thaw();
    expect(await picks(sel, 6, [])).toContain('n0');
  });

  it('when every node is silent (the client itself stalled), calls still go out, first to whichever answers; a single node is never passed over', async () => {
    const sel = await setup(3);
    await warm(sel, 3);
    await picks(sel, 3, ['n0', 'n1', 'n2']);
    t.clock += 1000;
    // All silent: the strategy's pick stands (round robin goes on where it was).
    const first = await picks(sel, 3, ['n0', 'n1', 'n2']);
    expect(new Set(first)).toEqual(new Set(['n0', 'n1', 'n2']));
    thaw();

    const one = await setup(1);
    await warm(one, 1);
    await picks(one, 1);
    t.clock += 1000;
    expect(await picks(one, 3)).toEqual(['n0', 'n0', 'n0']);
    thaw();
  });

  it('works under every strategy (here leastLoaded) and can be turned off', async () => {
    // A small LCG: repeatable, and it reaches every pair.
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const ll = await setup(3, { strategy: leastLoaded, random });
    await warm(ll, 3);
    expect(await picks(ll, 12)).toContain('n0');
    t.clock += 50;
    expect(await picks(ll, 20)).not.toContain('n0');
    thaw();

    const off = await setup(3, { silence: false });
    await warm(off, 3);
    await picks(off, 3);
    t.clock += 50;
    expect(await picks(off, 6)).toContain('n0');
    thaw();
  });

  it('a stream is load, not a call awaiting its answer: a node serving a quiet stream is not passed over', async () => {
    const sel = await setup(3);
    await warm(sel, 3);
    let streamOnN0: Selection | undefined;
    while (!streamOnN0) {
      const s = (await sel.select('svc', { stream: true }))();
      if (s.node.id === 'n0') streamOnN0 = s;
      else s.done();
    }
    t.clock += 1000;
    expect(await picks(sel, 6, [])).toContain('n0');
    // The same held as a unary call: passed over.
    await picks(sel, 3);
    t.clock += 1000;
    expect(await picks(sel, 6)).not.toContain('n0');
    thaw();
    streamOnN0.done();
  });

  it('rejects bad settings with a clear badRequest', async () => {
    t.registry = memoryRegistry();
    expect(() => createSelector({ registry: t.registry, silence: { factor: 0 } })).toThrow(
      /silence\.factor must be a finite number above 0, got 0/,
    );
    expect(() => createSelector({ registry: t.registry, silence: { floor: -1 } })).toThrow(/silence\.floor .* got -1/);
    expect(() => createSelector({ registry: t.registry, silence: { floor: Number.NaN } })).toThrow(/silence\.floor/);
  });
});
