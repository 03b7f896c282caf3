import type { ServiceNode, ServiceRecord } from '@tsmicro/registry';

/** The outcome of one use of a node, fed back to the selector for latency and error tracking. */
export interface SelectionResult {
  error?: unknown;
}

/** A picked node. Call `done()` exactly once when the call ends. */
export type Selection = { node: ServiceNode; done(result?: SelectionResult): void };

/** Returns the next node to try; each call may return a different one (retries use this). Throws `serviceUnavailable` when none is left. */
export type Next = () => Selection;

/** Narrows the records a selection considers (by version, metadata, endpoint…). */
export type Filter = (records: ServiceRecord[]) => ServiceRecord[];

/** What a strategy may read about nodes: load and latency fed by `Selection.done()`. */
export interface NodeStats {
  /** Calls currently in flight on the node. */
  inflight(nodeId: string): number;
  /** Exponentially weighted moving average of call latency, ms (0 when unknown). */
  latency(nodeId: string): number;
}

/** Per-call input to a strategy. */
export interface StrategyInput {
  nodes: readonly ServiceNode[];
  stats: NodeStats;
  key?: string;
  /** State kept per service across selections (e.g. a round-robin cursor). */
  state: Map<string, unknown>;
}

/** A load-balancing strategy: given the candidate nodes, returns a picker producing nodes in preference order. */
export interface Strategy {
  readonly name: string;
  pick(input: StrategyInput): () => ServiceNode;
}

/** Options of one selection. */
export interface SelectOptions {
  /** Default: the selector's strategy. */
  strategy?: Strategy;
  filters?: Filter[];
  /** Key for `consistentHash`. */
  key?: string;
}

/** Client-side load balancing over registry nodes. */
export interface Selector {
  select(service: string, o?: SelectOptions): Promise<Next>;
  /** Forgets cached state for the service. */
  reset(service: string): void;
  close(): Promise<void>;
}
