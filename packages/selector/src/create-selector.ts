import { type Logger, serviceUnavailable, silentLogger, toMicroError } from '@tsmicro/core';
import { type CacheRegistry, cacheRegistry, type Registry, type ServiceNode, type ServiceRecord } from '@tsmicro/registry';
import { isNodeFailure } from './failure.js';
import { createNodeSets, type NodeSets } from './node-set.js';
import { available, type NodeHealth, type OutlierOptions, resolveOutlier } from './outlier.js';
import { createPick, type Tracker } from './pick.js';
import type { FilterContext, Next, NodeStats, SelectOptions, Selector, Strategy } from './selector.js';
import { resolveSilence, type SilenceOptions } from './silence.js';
import { leastLoaded } from './strategies/least-loaded.js';

/** Options of {@link createSelector}. */
export interface SelectorOptions {
  /** Where nodes come from. Read on every `select`, through a `cacheRegistry` unless `cache` is false. */
  registry: Registry;
  /**
   * Wrap `registry` in `cacheRegistry` (watch-driven, closed by `close()`; the registry itself is not).
   * Default true, false when the registry already is a cache (its name starts with `cache(`).
   */
  cache?: boolean;
  /**
   * Default strategy. Default `leastLoaded`: a node that stops answering piles up calls in flight and
   * is left at once, where round robin keeps sending it a share until its silence is long enough to tell.
   */
  strategy?: Strategy;
  /** Default `silentLogger()`. */
  logger?: Logger;
  /** Outlier ejection settings, or `false` to never eject. Default: see {@link OutlierOptions}. */
  outlier?: OutlierOptions | false;
  /** Which `done({ error })` errors count against the node. Default {@link isNodeFailure}. */
  isFailure?: (error: unknown) => boolean;
  /**
   * Passing over a node whose calls in flight went unanswered for much longer than its usual gap
   * between answers (a frozen or stopped process keeps its sockets open): it is not chosen while
   * another node is usable, and is chosen again once it answers. `false` turns it off. Default: see {@link SilenceOptions}.
   */
  silence?: SilenceOptions | false;
  /** Weight of the newest sample in the latency and answer-gap EWMAs (0..1]. Default 0.3. */
  latencyAlpha?: number;
  /** Monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
  /** Uniform random in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** Per-service state: node sets, health, each strategy's private state, and views built once rather than per select. */
interface ServiceState {
  sets: NodeSets;
  all: readonly ServiceNode[];
  health: Map<string, NodeHealth>;
  strategies: WeakMap<Strategy, Map<string, unknown>>;
  stats: NodeStats;
  tracker: Tracker;
}

/** Shared by every selection given no options. */
const NO_OPTIONS: SelectOptions = Object.freeze({});

function resolveOptions(o: SelectorOptions) {
  return {
    registry: o.registry,
    cache: o.cache ?? !o.registry.name.startsWith('cache('),
    strategy: o.strategy ?? leastLoaded,
    logger: o.logger ?? silentLogger(),
    outlier: o.outlier === false ? undefined : resolveOutlier(o.outlier),
    silence: o.silence === false ? undefined : resolveSilence(o.silence),
    isFailure: o.isFailure ?? isNodeFailure,
    alpha: o.latencyAlpha ?? 0.3,
    now: o.now ?? (() => performance.now()),
    random: o.random ?? Math.random,
  };
}

/**
 * Client-side load balancing: reads a service's nodes from the registry, applies filters, skips
 * ejected nodes, passes over silent ones and hands out `Next`, whose successive calls return distinct nodes.
 * @example const next = await createSelector({ registry }).select('greeter'); const { node, done } = next()
 */
export function createSelector(options: SelectorOptions): Selector {
  const o = resolveOptions(options);
  const registry: Registry = o.cache ? cacheRegistry(o.registry, { logger: o.logger }) : o.registry;
  // A cache answers fresh lookups without a promise: what selectNow, the client's fast path, needs.
  const peekable = registry as Partial<CacheRegistry>;
  const peek = typeof peekable.peek === 'function' ? (name: string) => peekable.peek?.(name) : undefined;
  const services = new Map<string, ServiceState>();
  let closed = false;

  const stateOf = (service: string): ServiceState => {
    const found = services.get(service);
    if (found) return found;
    const health = new Map<string, NodeHealth>();
    const s: ServiceState = {
      sets: createNodeSets(),
      all: [],
      health,
      strategies: new WeakMap(),
      stats: {
        inflight: (id) => health.get(id)?.inflight ?? 0,
        latency: (id) => health.get(id)?.latency ?? 0,
      },
      tracker: {
        service,
        health,
        total: () => s.all.length,
        logger: o.logger,
        outlier: o.outlier,
        isFailure: o.isFailure,
        alpha: o.alpha,
        now: o.now,
        silence: o.silence,
      },
    };
    services.set(service, s);
    return s;
  };

  const refresh = (s: ServiceState, records: readonly ServiceRecord[]): void => {
    const all = s.sets.of(records);
    if (all === s.all) return;
    s.all = all;
    // Forget nodes that left the service so health does not grow without bound.
    const ids = new Set(all.map((n) => n.id));
    for (const id of s.health.keys()) if (!ids.has(id)) s.health.delete(id);
  };

  /** Picks from `records` (the service's, before filters): the synchronous part of every selection. */
  const pickFrom = (service: string, records: readonly ServiceRecord[], so: SelectOptions): Next => {
    const s = stateOf(service);
    refresh(s, records);
    let filtered = records;
    if (so.filters?.length) {
      const now = o.now();
      const ctx: FilterContext = { healthy: (n) => available(s.health.get(n.id), now) };
      // Filters get their own array: cached records are frozen and shared.
      let mine = records.slice();
      for (const f of so.filters) mine = f(mine, ctx);
      filtered = mine;
    }
    const nodes = filtered === records ? s.all : s.sets.of(filtered);
    if (nodes.length === 0) {
      const why = records.length === 0 ? 'it is not registered' : 'no node passes the filters';
      throw serviceUnavailable(`no node available for service ${service}: ${why}`);
    }
    const strategy = so.strategy ?? o.strategy;
    let state = s.strategies.get(strategy);
    if (!state) {
      state = new Map();
      s.strategies.set(strategy, state);
    }
    const { stats, tracker } = s;
    const input = so.key === undefined ? { nodes, stats, state, random: o.random } : { nodes, stats, state, random: o.random, key: so.key };
    return createPick(nodes, strategy.pick(input), tracker, so.maxInflight, records, so.stream === true);
  };

  return {
    async select(service: string, so: SelectOptions = NO_OPTIONS): Promise<Next> {
      if (closed) throw serviceUnavailable(`cannot select a node of ${service}: the selector is closed`);
      let records: readonly ServiceRecord[];
      try {
        records = peek?.(service) ?? (await registry.getService(service));
      } catch (e) {
        throw serviceUnavailable(`registry lookup of ${service} failed: ${toMicroError(e).detail}`, { cause: e });
      }
      return pickFrom(service, records, so);
    },
    selectNow(service: string, so: SelectOptions = NO_OPTIONS): Next | undefined {
      if (closed || !peek) return undefined;
      const records = peek(service);
      return records === undefined || records.length === 0 ? undefined : pickFrom(service, records, so);
    },
    reset(service: string) {
      services.delete(service);
    },
    async close() {
      if (closed) return;
      closed = true;
      services.clear();
      if (registry !== o.registry) await registry.close();
    },
  };
}
