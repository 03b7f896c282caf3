import type { Codec } from '@tsmicro/codec';
import { badRequest, canceled, type Metadata } from '@tsmicro/core';
import type { CallOptions } from './client.js';
import type { ResolvedClientOptions } from './options.js';
import type { Pool } from './pool.js';
import { hedge, isRetryable } from './resilience/index.js';
import { type Admitted, admit, type Outcome, type RetryPlan, settle, withRetries } from './retry.js';
import { abortReason, callMetadata, fixedNode, nodesFor, raceAbort, requestHeader, scopeOf, selectFor } from './scope.js';

/** What every attempt of one unary call shares. */
interface Attempt {
  plan: RetryPlan;
  pool: Pool;
  codec: Codec;
  body: Uint8Array;
  md: Metadata;
}

const ignore = (): void => {};

/** One attempt on one node. `signal` (hedging) abandons it: the server's handler sees `ctx.signal` abort. */
async function once(x: Attempt, a: Admitted, signal?: AbortSignal): Promise<Outcome<unknown>> {
  const { scope, name, service, endpoint } = x.plan;
  let sent = false;
  try {
    // An open connection is taken synchronously; only a dial is raced against the deadline.
    const mux = x.pool.pick(a.sel.node.address) ?? (await raceAbort(x.pool.get(a.sel.node.address), scope, name));
    if (signal?.aborted) throw signal.reason;
    const { stream, written } = mux.open(requestHeader(service, endpoint, x.codec.contentType, scope.deadline, x.md), { body: x.body });
    // The answer cannot come before the request is written, so waiting for it alone suffices; a failed write
    // fails the stream, and `sent` stays false for the retry decision.
    written.then(() => {
      sent = true;
    }, ignore);
    const off = scope.onAbort((r) => stream.cancel(abortReason(r, name)));
    const abandon = signal && (() => stream.cancel(canceled(`${name} on ${a.sel.node.id} was abandoned: another hedged attempt won`)));
    if (abandon) signal.addEventListener('abort', abandon, { once: true });
    try {
      const res = await stream.recv();
      if (res === undefined) throw badRequest(`${name} answered without a response message`);
      return { ok: true, value: x.codec.decode(res) };
    } finally {
      off();
      if (abandon) signal.removeEventListener('abort', abandon);
    }
  } catch (error) {
    return { ok: false, error, sent };
  }
}

/**
 * A hedged call: attempts on distinct nodes `delay` ms apart (a failure starts the next at once),
 * the first answer wins and the others are cancelled. Extra attempts draw on the retry budget; an
 * error no node would answer differently ends the call at once.
 */
async function hedged(x: Attempt, delay: number, maxAttempts: number): Promise<unknown> {
  const { plan } = x;
  const stop = new AbortController();
  let fatal: { error: unknown } | undefined;
  let failure: { error: unknown } | undefined;
  const attempt = async (signal: AbortSignal, n: number): Promise<unknown> => {
    const budget = plan.c.retryBudget;
    if (n > 0 && budget && !budget.tryRetry()) throw canceled(`${plan.name}: the retry budget allows no hedged attempt`);
    const a = admit(plan, undefined);
    const r = await once(x, a, signal);
    settle(a, r.ok ? undefined : r.error);
    if (r.ok) return r.value;
    if (!signal.aborted) failure = { error: r.error };
    if (!signal.aborted && !isRetryable(r.error, { idempotent: true, sent: r.sent })) {
      fatal ??= { error: r.error };
      stop.abort(r.error);
    }
    throw r.error;
  };
  try {
    return await hedge(attempt, { delay, maxAttempts, signal: AbortSignal.any([plan.scope.signal, stop.signal]) });
  } catch (e) {
    if (fatal) throw fatal.error;
    if (plan.scope.aborted) throw abortReason(plan.scope.reason, plan.name);
    // A hedge the budget refused is no news: the caller wants the last real failure.
    throw failure ? failure.error : e;
  }
}

/** One unary call: bulkhead slot, then retries on other nodes (or hedged attempts), each feeding selector and breaker. */
export async function unaryCall(
  c: ResolvedClientOptions,
  pool: Pool,
  service: string,
  endpoint: string,
  req: unknown,
  o: CallOptions,
): Promise<unknown> {
  const name = `${service}.${endpoint}`;
  const scope = scopeOf(name, o.timeout ?? c.timeout, o);
  let release: (() => void) | undefined;
  try {
    const codec: Codec = c.codecs.get(o.contentType ?? c.contentType);
    const body = codec.encode(req);
    const md = callMetadata(o);
    const idempotent = o.idempotent ?? c.idempotent(service, endpoint);
    if (o.hedge && !idempotent) {
      throw badRequest(`cannot hedge ${name}: it is not idempotent (pass idempotent: true or list it in the client's idempotent option)`);
    }
    const bh = c.bulkheadOf(service);
    if (bh) release = await bh.acquire({ signal: scope.signal });
    c.retryBudget?.onCall();
    // A direct address needs no selection: no promise to wait for.
    const next =
      o.address !== undefined ? fixedNode(o.address) : await raceAbort(nodesFor(c, service, o, selectFor(c, o, req, md)), scope, name);
    const retries = o.retries ?? c.retries;
    const plan: RetryPlan = { c, next, service, endpoint, name, scope, retries, idempotent };
    const x: Attempt = { plan, pool, codec, body, md };
    if (o.hedge) return await hedged(x, o.hedge.delay, o.hedge.maxAttempts ?? Math.max(2, 1 + retries));
    // Attempt 0 runs here, outside the retry loop: a call that succeeds pays for no loop.
    const first = admit(plan, undefined);
    const outcome = await once(x, first);
    if (outcome.ok) {
      settle(first);
      return outcome.value;
    }
    const { value, admitted } = await withRetries(plan, (a) => once(x, a), { admitted: first, outcome });
    settle(admitted);
    return value;
  } finally {
    release?.();
    scope.dispose();
  }
}
