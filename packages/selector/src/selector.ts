import type { ServiceNode, ServiceRecord } from '@tsmicro/registry';

/** The outcome of one use of a node, fed back to the selector for latency, load and error tracking. */
export interface SelectionResult {
  /** The call's error; absent on success. Only node failures (see the selector's `isFailure`) count against the node. */
  error?: unknown;
}

/** A picked node. Call `done()` exactly once when the call ends; later calls are ignored. */
export type Selection = { node: ServiceNode; done(result?: SelectionResult): void };

/**
 * Returns the next node to try, preferring nodes this `Next` has not returned yet, so a retry
 * goes to a different node; once every node was returned it starts over. The selector's `Next`
 * also carries `nodes`, every node it chooses from (for error messages: "3 nodes known"), and the
 * service's `records` it read (a client checks an endpoint's registered kind before calling).
 */
export type Next = (() => Selection) & { readonly nodes?: readonly ServiceNode[]; readonly records?: readonly ServiceRecord[] };

/** What a filter may ask about nodes. */
export interface FilterContext {
  /** False while the node is ejected as an outlier. */
  healthy(node: ServiceNode): boolean;
}

/**
 * Narrows the records a selection considers (by version, metadata, endpoint…). Return the input
 * unchanged when nothing is filtered out: the selector then reuses its cached per-node-set state.
 */
export type Filter = (records: ServiceRecord[], ctx: FilterContext) => ServiceRecord[];

/** What a strategy may read about nodes: load and latency fed by `Selection.done()`. */
export interface NodeStats {
  /** Calls currently in flight on the node. */
  inflight(nodeId: string): number;
  /** Exponentially weighted moving average of call latency, ms (0 when unknown). */
  latency(nodeId: string): number;
}

/** Per-selection input to a strategy. */
export interface StrategyInput {
  /**
   * The candidate nodes (never empty). The same array instance is passed while the node set is
   * unchanged, so a strategy may cache structures built from it (a ring, a schedule) in `state`
   * and rebuild only when `nodes` is a different array.
   */
  nodes: readonly ServiceNode[];
  stats: NodeStats;
  /** The selection's key (`consistentHash`). */
  key?: string;
  /** State private to this strategy and service, kept across selections until `reset(service)`. */
  state: Map<string, unknown>;
  /** Uniform in [0, 1); the selector's injectable source of randomness. */
  random: () => number;
}

/**
 * A load-balancing strategy. `pick` returns a picker; each call of the picker yields the next node
 * in preference order. The picker may repeat nodes: the selector skips nodes already returned by
 * the same `Next` and ejected ones, so a picker only needs to reach every node eventually.
 */
export interface Strategy {
  readonly name: string;
  pick(input: StrategyInput): () => ServiceNode;
}

/** Options of one selection. */
export interface SelectOptions {
  /** Default: the selector's strategy. */
  strategy?: Strategy;
  /** Applied in order. Default: none. */
  filters?: Filter[];
  /** Key for `consistentHash`. */
  key?: string;
  /**
   * A per-node bulkhead: a node with this many selections not yet `done()` is skipped (the call goes to
   * another node), and when every node is that busy `Next` throws a 429 at once. Default: no cap.
   * @example await selector.select('greeter', { maxInflight: 32 })
   */
  maxInflight?: number;
  /**
   * The selection is held for a stream's whole life. It counts as load (in flight, `maxInflight`) but
   * not as a call awaiting its answer, so a node serving a quiet stream is never judged silent for it
   * (see `SelectorOptions.silence`). Default false; the client sets it for its streams.
   */
  stream?: boolean;
}

/** Client-side load balancing over registry nodes. */
export interface Selector {
  /** Rejects with `serviceUnavailable` naming the service when no node is left after filtering. */
  select(service: string, o?: SelectOptions): Promise<Next>;
  /**
   * `select` without waiting, when the service's nodes are at hand (the registry cache holds them
   * fresh); undefined when they are not, and the caller uses `select`. Throws as `select` rejects.
   * Optional: a selector without it is always asked through `select`.
   * @example const next = selector.selectNow?.('greeter') ?? (await selector.select('greeter'))
   */
  selectNow?(service: string, o?: SelectOptions): Next | undefined;
  /** Forgets cached state (strategy state, stats, ejections) for the service. */
  reset(service: string): void;
  close(): Promise<void>;
}
