import { ErrorCode, isMicroError, MicroError, remaining } from '@tsmicro/core';
import type { Next } from '@tsmicro/selector';
import type { CallScope } from '@tsmicro/transport/rpc';
import { abortReason } from './abort.js';
import { isRetryable } from './resilience/index.js';
import { type Admitted, type ClientRuntime, settle } from './runtime.js';

/** How one attempt ended; `sent` says whether the request may have reached the server. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown; sent: boolean };

/** What the retry loop of one call needs: a `CallPlan` (call-plan.ts) is one. */
export interface RetryPlan {
  readonly rt: ClientRuntime;
  readonly next: Next;
  readonly service: string;
  readonly endpoint: string;
  readonly name: string;
  readonly scope: CallScope;
  readonly retries: number;
  readonly idempotent: boolean;
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
  const { rt, scope, name } = p;
  const { backoff, logger } = rt.settings;
  let last: unknown;
  for (let n = 0; ; n++) {
    if (n > 0) {
      if (n > p.retries) throw last;
      if (rt.retryBudget && !rt.retryBudget.tryRetry()) {
        logger.debug({ service: p.service, endpoint: p.endpoint }, 'retry budget spent; not retrying');
        throw last;
      }
      const ms = backoff(n);
      // Sleeping past the deadline would only turn the real error into a timeout.
      const left = remaining(scope.deadline);
      if (left !== undefined && left <= ms) throw last;
      await pause(ms, scope, name);
    }
    // `first`: the caller already ran attempt 0 itself (its fast path) and hands over how it went.
    const a = n === 0 && first ? first.admitted : rt.admit(p.next, p.endpoint, last);
    const r = n === 0 && first ? first.outcome : await attempt(a);
    if (r.ok) return { value: r.value, admitted: a };
    settle(a, r.error);
    if (scope.aborted) throw abortReason(scope.reason, name);
    last = r.error;
    if (!isRetryable(r.error, { idempotent: p.idempotent, sent: r.sent })) throw notRepeated(last, p);
    logger.debug({ service: p.service, endpoint: p.endpoint, node: a.sel.node.id, attempt: n, err: String(r.error) }, 'retrying');
  }
}
