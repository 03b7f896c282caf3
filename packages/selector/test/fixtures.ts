import { memoryRegistry, type Registry, type ServiceRecord } from '@tsmicro/registry';
import { afterEach } from 'vitest';
import { createSelector, type SelectorOptions } from '../src/create-selector.js';
import type { Selector } from '../src/selector.js';
import { roundRobin } from '../src/strategies/round-robin.js';

/** The registry, selector and clock of a describe block's tests (made by {@link selectorFixture}). */
export class SelectorFixture {
  /** Set by {@link start}, or by a test that builds its own selector; closed after each test. */
  registry!: Registry;
  /** Closed after each test. */
  selector: Selector | undefined;
  /** What the selector's `now` reads: the tests move time by hand. */
  clock = 0;

  /** A fresh registry holding `records`, and a round-robin selector on it; the clock goes back to 0. */
  async start(records: readonly ServiceRecord[], o: Partial<SelectorOptions> = {}): Promise<Selector> {
    this.clock = 0;
    this.registry = memoryRegistry();
    for (const r of records) await this.registry.register(r);
    // These tests follow round robin's order; the default strategy is tested on its own.
    this.selector = createSelector({ registry: this.registry, now: () => this.clock, strategy: roundRobin, ...o });
    return this.selector;
  }
}

/** Call inside a `describe`: it registers the afterEach that closes what a test left open. */
export function selectorFixture(): SelectorFixture {
  const f = new SelectorFixture();
  afterEach(async () => {
    await f.selector?.close();
    await f.registry.close();
  });
  return f;
}
