import type { ServiceRecord } from '@tsmicro/registry';
import { createSelector, type Next, type Selection, type Selector } from '@tsmicro/selector';
import { Deadlines } from '@tsmicro/transport/rpc';
import { LiveGate } from './live-gate.js';
import { isBreaker, isBudget, type ResolvedClientOptions } from './options.js';
import { createPool, type Pool } from './pool.js';
import {
  type BreakerPermit,
  type Bulkhead,
  bulkhead,
  type CircuitBreaker,
  circuitBreaker,
  type RetryBudget,
  retryBudget,
} from './resilience/index.js';
import { type StreamKind, streamKindOf } from './stream-kind.js';

/** A node admitted for one attempt: report the outcome to both exactly once (see {@link settle}). */
export interface Admitted {
  sel: Selection;
  permit: BreakerPermit | undefined;
}

/** Reports an attempt's outcome to the selection (latency, load, ejection) and the circuit. */
export function settle(a: Admitted, error?: unknown): void {
  const result = error === undefined ? undefined : { error };
  a.permit?.done(result);
  a.sel.done(result);
}

/** Past this many entries a cache starts over: a client calling ever new addresses, nodes or endpoints must not grow without end. */
const MAX_CACHED = 1024;

/** Past this many node ids (or endpoints of one node) the circuit keys start over, so ids of nodes long gone do not pile up. */
const MAX_KEYED_NODES = 4096;

const noop = (): void => {};

/**
 * What one client builds from its settings and keeps while it runs: the connection pool, the
 * selector (given, or built on first use over the registry, again after `close()`), the circuit
 * breaker, the retry budget, a bulkhead per service, and the call path's caches. Each client has its
 * own: two clients in one process share nothing but what the caller gave both (a breaker, a selector).
 */
export class ClientRuntime {
  readonly pool: Pool;
  readonly retryBudget: RetryBudget | undefined;
  readonly breaker: CircuitBreaker | undefined;
  /** Holds non-idempotent calls until their node answers a ping; undefined when `confirmAlive` is off. */
  readonly gate: LiveGate | undefined;
  private built: Selector | undefined;
  /** The deadline timers of this client's calls (see `Deadlines`: one list per timeout, per owner). */
  readonly deadlines = new Deadlines();
  private readonly bulkheads = new Map<string, Bulkhead>();
  /** Made once per address: a call with `address` builds no node, selection or closure. */
  private readonly fixedNodes = new Map<string, Next>();
  /** Circuit keys by node id, then endpoint: the same key string each call (its hash computed once, nothing allocated). */
  private readonly circuitKeys = new Map<string, Map<string, string>>();
  /** Endpoint kinds per registry snapshot (`Next.records`, the same frozen array while the service is unchanged); null: not a stream. */
  private readonly streamKinds = new WeakMap<readonly ServiceRecord[], Map<string, StreamKind | null>>();

  constructor(readonly settings: ResolvedClientOptions) {
    const s = settings;
    this.pool = createPool({
      transport: s.transport,
      size: s.poolSize,
      dialTimeout: s.dialTimeout,
      pingInterval: s.pingInterval,
      busyPingAfter: s.busyPingAfter,
      pingTimeout: s.pingTimeout,
      window: s.streamWindow,
      compression: s.compression,
      logger: s.logger,
    });
    const b = s.retryBudget;
    this.retryBudget = b === undefined ? undefined : isBudget(b) ? b : retryBudget(b);
    const cb = s.circuitBreaker;
    this.breaker = cb === undefined ? undefined : isBreaker(cb) ? cb : circuitBreaker(cb);
    this.gate = s.confirmAlive > 0 ? new LiveGate(s.confirmAlive) : undefined;
  }

  /** The given selector, else the one built over the registry; undefined without either. */
  selector(): Selector | undefined {
    const s = this.settings;
    if (s.selector) return s.selector;
    if (!s.registry) return undefined;
    this.built ??= createSelector({ registry: s.registry, logger: s.logger });
    return this.built;
  }

  /** The service's bulkhead, made on first use; undefined when calls are not capped. */
  bulkheadOf(service: string): Bulkhead | undefined {
    const o = this.settings.bulkhead;
    if (!o) return undefined;
    let b = this.bulkheads.get(service);
    if (!b) {
      b = bulkhead({ name: `bulkhead of ${service}`, ...o });
      this.bulkheads.set(service, b);
    }
    return b;
  }

  /** The fixed node of `address`: every attempt goes there, nothing to report back. */
  fixedNode(address: string): Next {
    let next = this.fixedNodes.get(address);
    if (!next) {
      const sel = { node: { id: address, address, metadata: {} }, done: noop };
      next = () => sel;
      if (this.fixedNodes.size >= MAX_CACHED) this.fixedNodes.clear();
      this.fixedNodes.set(address, next);
    }
    return next;
  }

  /** The registered kind of `endpoint` when the selection's records name it a stream; looked up once per registry snapshot. */
  streamKind(next: Next, endpoint: string): StreamKind | undefined {
    const records = next.records;
    if (!records) return undefined;
    let kinds = this.streamKinds.get(records);
    if (!kinds) {
      kinds = new Map();
      this.streamKinds.set(records, kinds);
    }
    let kind = kinds.get(endpoint);
    if (kind === undefined) {
      kind = streamKindOf(records, endpoint) ?? null;
      // A caller inventing endpoint names must not grow this without end.
      if (kinds.size >= MAX_CACHED) kinds.clear();
      kinds.set(endpoint, kind);
    }
    return kind ?? undefined;
  }

  /**
   * The next node whose circuit admits a call. A refused node is skipped without spending a retry
   * (nothing was sent) and its refusal is fed to the selection; once the nodes come round again and
   * every one refused, throws `last` (the previous attempt's error) or the refusal, a 503 with the reason.
   */
  admit(next: Next, endpoint: string, last: unknown): Admitted {
    let refused: Set<string> | undefined;
    for (;;) {
      let sel: Selection;
      try {
        sel = next();
      } catch (e) {
        throw last ?? e;
      }
      const breaker = this.breaker;
      if (!breaker) return { sel, permit: undefined };
      try {
        return { sel, permit: breaker.acquire(this.circuitKey(sel.node.id, endpoint)) };
      } catch (e) {
        sel.done({ error: e });
        refused ??= new Set();
        if (refused.has(sel.node.id)) throw last ?? e;
        refused.add(sel.node.id);
        last = last ?? e;
      }
    }
  }

  /** Closes pooled connections and the selector the client built itself; both come back on the next call. */
  async close(): Promise<void> {
    await this.pool.close();
    const b = this.built;
    this.built = undefined;
    await b?.close();
  }

  /** `${nodeId} ${endpoint}`, the circuit of one endpoint on one node. */
  private circuitKey(nodeId: string, endpoint: string): string {
    let byEndpoint = this.circuitKeys.get(nodeId);
    if (!byEndpoint) {
      if (this.circuitKeys.size >= MAX_KEYED_NODES) this.circuitKeys.clear();
      byEndpoint = new Map();
      this.circuitKeys.set(nodeId, byEndpoint);
    }
    let key = byEndpoint.get(endpoint);
    if (key === undefined) {
      key = `${nodeId} ${endpoint}`;
      // A node serves a bounded set of endpoints; a caller inventing endpoint names must not grow this without end.
      if (byEndpoint.size >= MAX_KEYED_NODES) byEndpoint.clear();
      byEndpoint.set(endpoint, key);
    }
    return key;
  }
}
