import type { Codec } from '@tsmicro/codec';
import { badRequest, canceled, type Metadata, type MicroError, serviceUnavailable, timeout } from '@tsmicro/core';
import type { Next } from '@tsmicro/selector';
import type { CallScope, Encoding, Mux, UnaryCall, UnaryReceiver } from '@tsmicro/transport/rpc';
import type { CallOptions } from './client.js';
import { encodeRequest } from './encode.js';
import type { ResolvedClientOptions } from './options.js';
import type { Pool } from './pool.js';
import { hedge, isRetryable } from './resilience/index.js';
import { type Admitted, admit, type Outcome, type RetryPlan, settle, withRetries } from './retry.js';
import { abortReason, callMetadata, fixedNode, nodesFor, raceAbort, requestHeader, scopeOf, selectFor, selectNow } from './scope.js';
import { streamKindOf, unaryToStream } from './stream-kind.js';
import { type AttemptLog, attemptLog } from './unreachable.js';

/** What every attempt of one unary call shares. */
interface Attempt {
  plan: RetryPlan;
  pool: Pool;
  codec: Codec;
  body: Uint8Array;
  md: Metadata;
  /** By name: the attempts' failures, to explain a call no node could answer. */
  log?: AttemptLog;
  /** This call's `compression` option, when it has one. */
  encoding?: Encoding | 'identity' | undefined;
}

/** `now`: the clock read the call started with, when the request leaves in that same synchronous run. */
function header(x: Attempt, now?: number): Record<string, string> {
  const { service, endpoint, scope } = x.plan;
  return requestHeader(service, endpoint, x.codec.contentType, scope.deadline, x.md, now);
}

/**
 * One attempt's end of a unary call: opens it, cancels it when the call's scope aborts, decodes the
 * answer, and hands the outcome to `succeeded` or `failedWith`, once.
 */
abstract class AttemptReceiver implements UnaryReceiver {
  private ended = false;
  /** Unset while the call is being opened, when a closed connection may already fail it. */
  private off: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(protected readonly x: Attempt) {}

  /** Opens the call on `mux` (the outcome may arrive before this returns); undefined when it already ended. */
  protected open(mux: Mux, node: string, now?: number): UnaryCall | undefined {
    const { scope, name, attemptMs } = this.x.plan;
    const call = mux.call(header(this.x, now), this.x.body, this, this.x.encoding);
    // A call failed at once (closed connection) has nothing left to cancel.
    if (this.ended) return undefined;
    this.off = scope.onAbort((r) => call.cancel(abortReason(r, name)));
    if (attemptMs !== undefined) {
      const why = () => timeout(`${name}: the attempt on ${node} took over ${attemptMs} ms (attemptTimeout); trying another node`);
      this.timer = setTimeout(() => call.cancel(why()), attemptMs);
    }
    return call;
  }

  resolved(body: Uint8Array): void {
    let value: unknown;
    try {
      value = this.x.codec.decode(body);
    } catch (error) {
      this.failed(error as MicroError, true);
      return;
    }
    this.end();
    this.succeeded(value);
  }

  failed(error: MicroError, sent: boolean): void {
    this.end();
    this.failedWith(error, sent);
  }

  protected abstract succeeded(value: unknown): void;
  protected abstract failedWith(error: MicroError, sent: boolean): void;

  private end(): void {
    this.ended = true;
    this.off?.();
    if (this.timer) clearTimeout(this.timer);
  }
}

/** An attempt as an outcome (retries, hedges, a call that had to dial). `signal` (hedging) abandons it. */
class AttemptOutcome extends AttemptReceiver {
  private abandon: (() => void) | undefined;

  constructor(
    x: Attempt,
    a: Admitted,
    mux: Mux,
    private readonly resolve: (o: Outcome<unknown>) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    super(x);
    const call = this.open(mux, a.sel.node.id);
    if (!call || !signal) return;
    const abandon = () => call.cancel(canceled(`${x.plan.name} on ${a.sel.node.id} was abandoned: another hedged attempt won`));
    this.abandon = abandon;
    signal.addEventListener('abort', abandon, { once: true });
  }

  protected succeeded(value: unknown): void {
    this.detach();
    this.resolve({ ok: true, value });
  }

  protected failedWith(error: MicroError, sent: boolean): void {
    this.detach();
    this.resolve({ ok: false, error, sent });
  }

  private detach(): void {
    if (this.abandon) this.signal?.removeEventListener('abort', this.abandon);
  }
}

/** One attempt on one node, as an outcome. `signal` (hedging) abandons it: the server's handler sees `ctx.signal` abort. */
async function once(x: Attempt, a: Admitted, signal?: AbortSignal): Promise<Outcome<unknown>> {
  const { scope, name } = x.plan;
  let mux: Mux;
  try {
    // An open connection is taken synchronously; only a dial is raced against the deadline.
    mux = x.pool.pick(a.sel.node.address) ?? (await raceAbort(x.pool.get(a.sel.node.address), scope, name));
    if (signal?.aborted) throw signal.reason;
  } catch (error) {
    return { ok: false, error, sent: false };
  }
  return new Promise<Outcome<unknown>>((resolve) => new AttemptOutcome(x, a, mux, resolve, signal));
}

/** Attempt 0 failed (or a dial was needed): the retry loop takes over; resolves with the value or rejects. */
async function retried(x: Attempt, first: Admitted, outcome: Outcome<unknown>): Promise<unknown> {
  try {
    if (outcome.ok) {
      settle(first);
      return outcome.value;
    }
    const { value, admitted } = await withRetries(x.plan, (a) => once(x, a), { admitted: first, outcome });
    settle(admitted);
    return value;
  } catch (e) {
    throw x.log ? x.log.explain(e) : e;
  } finally {
    x.plan.scope.dispose();
  }
}

/**
 * Attempt 0 on a pooled connection, the hot path: the answer arrives in `resolved` straight from the
 * connection, with no async frame, no stream object and no promise of its own on the way.
 */
class FirstAttempt extends AttemptReceiver {
  constructor(
    x: Attempt,
    private readonly a: Admitted,
    mux: Mux,
    private readonly resolve: (v: unknown) => void,
    now: number | undefined,
  ) {
    super(x);
    this.open(mux, a.sel.node.id, now);
  }

  protected succeeded(value: unknown): void {
    settle(this.a);
    this.x.plan.scope.dispose();
    this.resolve(value);
  }

  protected failedWith(error: MicroError, sent: boolean): void {
    this.resolve(retried(this.x, this.a, { ok: false, error, sent }));
  }
}

/** Every attempt of a call that is not hedged: attempt 0, then retries on other nodes. Disposes the call's scope when done. */
function attempts(x: Attempt, now?: number): Promise<unknown> {
  let first: Admitted;
  try {
    first = admit(x.plan, undefined);
  } catch (e) {
    x.plan.scope.dispose();
    return Promise.reject(e);
  }
  const mux = x.pool.pick(first.sel.node.address);
  if (!mux) return once(x, first).then((outcome) => retried(x, first, outcome));
  // The executor runs at once, so a failure reported while opening finds `resolve` in place.
  return new Promise((resolve) => new FirstAttempt(x, first, mux, resolve, now));
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

/** The call's shared state, or the error that ends it before any attempt. */
function prepare(
  c: ResolvedClientOptions,
  pool: Pool,
  service: string,
  endpoint: string,
  req: unknown,
  o: CallOptions,
  scope: CallScope,
  name: string,
): Attempt {
  const codec: Codec = c.codecs.get(o.contentType ?? c.contentType);
  const body = encodeRequest(codec, req, name);
  const md = callMetadata(o);
  const idempotent = o.idempotent ?? c.idempotent(service, endpoint);
  if (o.hedge && !idempotent) {
    throw badRequest(`cannot hedge ${name}: it is not idempotent (pass idempotent: true or list it in the client's idempotent option)`);
  }
  const retries = o.retries ?? c.retries;
  const attemptMs = idempotent ? (o.attemptTimeout ?? c.attemptTimeout) : undefined;
  const plan: RetryPlan = { c, next: unselected, service, endpoint, name, scope, retries, idempotent, attemptMs };
  return { plan, pool, codec, body, md, encoding: o.compression };
}

const unselected: Next = () => {
  throw serviceUnavailable('no node selected yet');
};

/**
 * A by-name selection made ready for attempts: a stream endpoint is refused (the registry says which
 * kind it is, before its handler could run), and each attempt's failure is logged for the final error.
 */
function logged(x: Attempt, next: Next): Next {
  const { service, endpoint, name } = x.plan;
  const kind = streamKindOf(next.records, endpoint);
  if (kind) throw unaryToStream(name, endpoint, kind);
  x.log = attemptLog(service, next);
  return x.log.next;
}

/**
 * One unary call: bulkhead slot, then retries on other nodes (or hedged attempts), each feeding
 * selector and breaker. Without bulkhead or hedging, a call to a fixed address, or by name while the
 * selector has the service's nodes at hand (`selectNow`: the registry cache is fresh), takes the hot
 * path: no async function, the node picked in the caller's turn, the answer resolving the returned
 * promise directly.
 */
export function unaryCall(
  c: ResolvedClientOptions,
  pool: Pool,
  service: string,
  endpoint: string,
  req: unknown,
  o: CallOptions,
): Promise<unknown> {
  const name = `${service}.${endpoint}`;
  const now = Date.now();
  const scope = scopeOf(name, o.timeout ?? c.timeout, o, now);
  let x: Attempt;
  try {
    x = prepare(c, pool, service, endpoint, req, o, scope, name);
  } catch (e) {
    scope.dispose();
    return Promise.reject(e);
  }
  if (o.hedge || c.bulkheadOf(service)) return generalCall(x, o, req);
  let next: Next | undefined;
  try {
    if (o.address !== undefined) next = fixedNode(o.address);
    else {
      const ready = selectNow(c, service, o, req, x.md);
      next = ready && logged(x, ready);
    }
  } catch (e) {
    scope.dispose();
    return Promise.reject(e);
  }
  // The nodes were not at hand (first call, expired cache, a selector without selectNow): wait for them.
  if (next === undefined) return generalCall(x, o, req);
  c.retryBudget?.onCall();
  x.plan.next = next;
  return attempts(x, now);
}

/** Calls that need to wait before attempt 0: a bulkhead slot, a selection, or hedging. */
async function generalCall(x: Attempt, o: CallOptions, req: unknown): Promise<unknown> {
  const { plan } = x;
  const { c, scope, service, name } = plan;
  let release: (() => void) | undefined;
  try {
    const bh = c.bulkheadOf(service);
    if (bh) release = await bh.acquire({ signal: scope.signal });
    c.retryBudget?.onCall();
    // A direct address needs no selection: no promise to wait for.
    if (o.address !== undefined) plan.next = fixedNode(o.address);
    else {
      plan.next = logged(x, await raceAbort(nodesFor(c, service, o, selectFor(c, o, req, x.md)), scope, name));
    }
    if (o.hedge) return await hedged(x, o.hedge.delay, o.hedge.maxAttempts ?? Math.max(2, 1 + plan.retries));
    return await attempts(x);
  } catch (e) {
    throw x.log ? x.log.explain(e) : e;
  } finally {
    release?.();
    scope.dispose();
  }
}
