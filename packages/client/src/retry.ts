import { ErrorCode, isMicroError, MicroError, remaining } from '@tsmicro/core';
import type { Next, Selection } from '@tsmicro/selector';
import type { CallScope } from '@tsmicro/transport/rpc';
import type { ResolvedClientOptions } from './options.js';
import { type BreakerPermit, isRetryable } from './resilience/index.js';
import { abortReason } from './scope.js';

/** Circuit keys by node id, then endpoint: the same key string each call (its hash is computed once, nothing allocated). */
const keys = new Map<string, Map<string, string>>();
/** Past this many node ids the cache starts over, so ids of nodes long gone do not pile up. */
const MAX_KEYED_NODES = 4096;

/** `${nodeId} ${endpoint}`, the circuit of one endpoint on one node. */
function circuitKey(nodeId: string, endpoint: string): string {
  let byEndpoint = keys.get(nodeId);
  if (!byEndpoint) {
    if (keys.size >= MAX_KEYED_NODES) keys.clear();
    byEndpoint = new Map();
    keys.set(nodeId, byEndpoint);
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

/** A node admitted for one attempt: report the outcome to both exactly once. */
export interface Admitted {
  sel: Selection;
  permit: BreakerPermit | undefined;
}

/** How one attempt ended; `sent` says whether the request may have reached the server. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown; sent: boolean };

/** What the retry loop of one call needs. */
export interface RetryPlan {
  c: ResolvedClientOptions;
  next: Next;
  service: string;
  endpoint: string;
  name: string;
  scope: CallScope;
  retries: number;
  idempotent: boolean;
  /** Ms one attempt may take before it is cancelled and the next node tried; idempotent calls only. */
  attemptMs?: number | undefined;
}

/** Reports an attempt's outcome to the selection (latency, load, ejection) and the circuit. */
export function settle(a: Admitted, error?: unknown): void {
  const result = error === undefined ? undefined : { error };
  a.permit?.done(result);
  a.sel.done(result);
}

/**
 * The next node whose circuit admits a call. A refused node is skipped without spending a retry
 * (nothing was sent) and its refusal is fed to the selection; once the nodes come round again and
 * every one refused, throws `last` (the previous attempt's error) or the refusal, a 503 with the reason.
 */
export function admit(p: RetryPlan, last: unknown): Admitted {
  let refused: Set<string> | undefined;
  for (;;) {
    let sel: Selection;
    try {
      sel = p.next();
    } catch (e) {
      throw last ?? e;
    }
    const breaker = p.c.circuitBreaker;
    if (!breaker) return { sel, permit: undefined };
    try {
      return { sel, permit: breaker.acquire(circuitKey(sel.node.id, p.endpoint)) };
    } catch (e) {
      sel.done({ error: e });
      refused ??= new Set();
      if (refused.has(sel.node.id)) throw last ?? e;
      refused.add(sel.node.id);
      last = last ?? e;
    }
  }
}

/** An outcome-unknown error of a call that is not idempotent says why it was not repeated and how to allow it. */
function notRepeated(e: unknown, p: RetryPlan): unknown {
  if (p.idempotent || !isMicroError(e) || e.code !== ErrorCode.BadGateway) return e;
  const detail = `${p.name}: ${e.detail}; not repeated on another node because it is not marked idempotent (see the client's idempotent option)`;
  return new MicroError({ id: e.id, code: e.code, detail, status: e.status, cause: e });
}

/** Waits `ms`, or rejects with the scope's abort reason; leaves no timer behind either way. */
function pause(ms: number, scope: CallScope, name: string): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      resolve();
    }, ms);
    const off = scope.onAbort((r) => {
      clearTimeout(t);
      reject(abortReason(r, name));
    });
  });
}

/**
 * Runs `attempt` on successive nodes (the selector's `Next` prefers unseen ones) until one succeeds,
 * the failure is not safe to retry, `retries` are used up, or the client's retry budget is spent;
 * waits a jittered backoff between attempts. Returns the winning node still unsettled (a stream
 * keeps using it); every failed attempt is settled here. `first` is attempt 0 when the caller already made it.
 */
export async function withRetries<T>(
  p: RetryPlan,
  attempt: (a: Admitted) => Promise<Outcome<T>>,
  first?: { admitted: Admitted; outcome: Outcome<T> },
): Promise<{ value: T; admitted: Admitted }> {
  const { c, scope, name } = p;
  let last: unknown;
  for (let n = 0; ; n++) {
    if (n > 0) {
      if (n > p.retries) throw last;
      if (c.retryBudget && !c.retryBudget.tryRetry()) {
        c.logger.debug({ service: p.service, endpoint: p.endpoint }, 'retry budget spent; not retrying');
        throw last;
      }
      const ms = c.backoff(n);
      // Sleeping past the deadline would only turn the real error into a timeout.
      const left = remaining(scope.deadline);
      if (left !== undefined && left <= ms) throw last;
      await pause(ms, scope, name);
    }
    // `first`: the caller already ran attempt 0 itself (its fast path) and hands over how it went.
    const a = n === 0 && first ? first.admitted : admit(p, last);
    const r = n === 0 && first ? first.outcome : await attempt(a);
    if (r.ok) return { value: r.value, admitted: a };
    settle(a, r.error);
    if (scope.aborted) throw abortReason(scope.reason, name);
    last = r.error;
    if (!isRetryable(r.error, { idempotent: p.idempotent, sent: r.sent })) throw notRepeated(last, p);
    c.logger.debug({ service: p.service, endpoint: p.endpoint, node: a.sel.node.id, attempt: n, err: String(r.error) }, 'retrying');
  }
}
