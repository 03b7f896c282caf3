/**
 * One client call, from its options to its outcome: a `CallPlan` owns the call's deadline and
 * cancellation (its scope), its selection, every attempt (the first, retries on other nodes,
 * hedges) and how it ends. Streams use the same plan to pick and open their node (stream.ts);
 * the rest of this file is the unary call.
 *
 * ```
 *  unaryCall ─► encode, deadline ─┬─ nodes at hand: a fixed address, or selectNow ─► attempt 0 ─┬─ answered ─► done
 *                                 │  (no bulkhead, no hedge: the hot path, no async frame)       └─ failed ─┐
 *                                 └─ waited: bulkhead slot, selection ─┬─► attempt 0 (as above) ─────────┤
 *                                                                      └─► hedged ─► done                ▼
 *                                                retried: attempt log, attempts 1..retries on other nodes ─► done
 * ```
 * A call that is not idempotent, by name, to a service of several nodes leaves the hot path: each of
 * its attempts first waits for the node to answer a ping (the client's live gate, `confirmAlive`), so
 * a frozen node is found before the request is written and the call can still go elsewhere.
 * "done" settles the selection and circuit of the last attempt, disposes the scope and resolves or
 * rejects the caller's promise, once. The attempt log (why each node failed, for "no node could be
 * reached") is made only once attempt 0 failed, or before hedging.
 */
import type { Codec } from '@tsmicro/codec';
import {
  badRequest,
  canceled,
  earliest,
  isMergedMetadata,
  type Metadata,
  type MicroError,
  mergeMetadata,
  remaining,
  serviceUnavailable,
  timeout,
} from '@tsmicro/core';
import type { Next, SelectOptions } from '@tsmicro/selector';
import { type CallScope, callScope, type Deadlines, H, type Mux, writeMetadata } from '@tsmicro/transport/rpc';
import { abortReason, raceAbort } from './abort.js';
import { Attempt } from './attempt.js';
import type { CallOptions } from './client.js';
import { unencodable } from './encode.js';
import { hedge, isRetryable } from './resilience/index.js';
import { type Outcome, type RetryPlan, withRetries } from './retry.js';
import { type Admitted, type ClientRuntime, settle } from './runtime.js';
import { unaryToStream } from './stream-kind.js';
import { type AttemptLog, attemptLog, type Failure } from './unreachable.js';

/** Shared by every call without metadata: nothing reads it but to copy it into a header. */
const NO_METADATA: Metadata = Object.freeze(Object.create(null) as Metadata);

/** Shared by every call without selection options. */
const NO_SELECT: SelectOptions = Object.freeze({});

const NO_BODY = new Uint8Array(0);

const unselected: Next = () => {
  throw serviceUnavailable('no node selected yet');
};

/**
 * The call's metadata: the ctx's, then the call's own (keys lower-cased). Read-only. Metadata a
 * wrapper already merged (lower-cased) is taken as it is: a third copy per call bought nothing.
 */
function callMetadata(o: CallOptions): Metadata {
  if (!o.ctx && o.metadata && isMergedMetadata(o.metadata)) return o.metadata;
  return o.ctx || o.metadata ? mergeMetadata(o.ctx?.metadata, o.metadata) : NO_METADATA;
}

/** The cancellation scope of one call: own timeout, the ctx's deadline, the caller's and the ctx's signals. */
function scopeOf(name: string, timeoutMs: number | undefined, o: CallOptions, now: number, deadlines: Deadlines): CallScope {
  const deadline = earliest(timeoutMs === undefined ? undefined : now + timeoutMs, o.ctx?.deadline);
  const ms = remaining(deadline, now) ?? 0;
  const onDeadline = () => timeout(`call to ${name} timed out after ${ms} ms`);
  if (!o.signal && !o.ctx) return callScope({ deadline, onDeadline, now, deadlines });
  return callScope({ deadline, parents: [o.signal, o.ctx?.signal], onDeadline, now, deadlines });
}

/**
 * One call's plan (see the diagram at the top of this file). Made by {@link unaryCall} or a stream's
 * open; its scope runs from construction until `end()`.
 */
export class CallPlan implements RetryPlan {
  /** `service.endpoint`, as errors name the call. */
  readonly name: string;
  readonly codec: Codec;
  readonly md: Metadata;
  readonly idempotent: boolean;
  readonly retries: number;
  /** Ms one attempt may take before it is cancelled and the next node tried; idempotent calls only. */
  readonly attemptMs: number | undefined;
  readonly scope: CallScope;
  /** Hands out the nodes to try: the selector's (logged once an attempt failed), or a fixed address. */
  next: Next = unselected;
  /** The encoded request of a unary call. */
  body: Uint8Array = NO_BODY;
  /** Each attempt waits for its node to answer a ping before the request is written (see live-gate.ts). */
  private gated = false;
  /** By name, once an attempt failed: each attempt's failure, to explain a call no node could answer. */
  private log: AttemptLog | undefined = undefined;
  /** Resolves the caller's promise when attempt 0 runs on the hot path. */
  private resolve: ((value: unknown) => void) | undefined = undefined;

  /** `timeoutMs`: the call's own timeout (none for a stream without one). Throws only for an unknown content type. */
  constructor(
    readonly rt: ClientRuntime,
    readonly service: string,
    readonly endpoint: string,
    readonly o: CallOptions,
    timeoutMs: number | undefined,
    now: number,
  ) {
    const s = rt.settings;
    this.name = `${service}.${endpoint}`;
    this.codec = s.codecs.get(o.contentType ?? s.contentType);
    this.md = callMetadata(o);
    this.idempotent = o.idempotent ?? s.idempotent?.(service, endpoint) ?? false;
    this.retries = o.retries ?? s.retries;
    this.attemptMs = this.idempotent ? (o.attemptTimeout ?? s.attemptTimeout) : undefined;
    this.scope = scopeOf(this.name, timeoutMs, o, now, rt.deadlines);
  }

  /** A fresh request header: routing, content type, remaining deadline and metadata. `now`: a clock read in this same synchronous run. */
  header(now?: number): Record<string, string> {
    const h: Record<string, string> = { [H.service]: this.service, [H.endpoint]: this.endpoint, [H.contentType]: this.codec.contentType };
    const deadline = this.scope.deadline;
    if (deadline !== undefined) h[H.timeout] = String(remaining(deadline, now ?? Date.now()));
    writeMetadata(h, this.md);
    return h;
  }

  /**
   * The nodes of this call, waiting for the selector when it has to: a fixed address, or the
   * selector's (raced against the deadline). `stream`: the selection is a stream's, which counts as
   * load but never as a call awaiting an answer (a quiet stream must not make its node look silent).
   */
  async select(req: unknown, stream = false): Promise<Next> {
    const { rt, o, service } = this;
    if (o.address !== undefined) return rt.fixedNode(o.address);
    const selector = rt.selector();
    if (!selector) throw serviceUnavailable(`cannot find service ${service}: the client has no registry or selector (or pass address)`);
    const options = this.selectOptions(req);
    return raceAbort(selector.select(service, stream ? { ...options, stream: true } : options), this.scope, this.name);
  }

  /** Ends the call's deadline and cancellation; idempotent. */
  end(): void {
    this.scope.dispose();
  }

  /**
   * Runs the unary call `req`. Without bulkhead or hedging, a call to a fixed address, or by name
   * while the selector has the service's nodes at hand (`selectNow`: the registry cache is fresh),
   * takes the hot path: no async function, the node picked in the caller's turn, the answer
   * resolving the returned promise directly.
   */
  unary(req: unknown, now: number): Promise<unknown> {
    const { rt, o } = this;
    let next: Next | undefined;
    try {
      try {
        this.body = this.codec.encode(req);
      } catch (e) {
        throw unencodable(this.codec, e, this.name);
      }
      if (o.hedge && !this.idempotent) {
        throw badRequest(
          `cannot hedge ${this.name}: it is not idempotent (pass idempotent: true or list it in the client's idempotent option)`,
        );
      }
      if (o.hedge || rt.bulkheadOf(this.service)) return this.waited(req);
      next = o.address !== undefined ? rt.fixedNode(o.address) : this.selectNow(req);
    } catch (e) {
      this.end();
      return Promise.reject(e);
    }
    // The nodes were not at hand (first call, expired cache, a selector without selectNow): wait for them.
    if (next === undefined) return this.waited(req);
    rt.retryBudget?.onCall();
    this.setNext(next);
    return this.firstAttempt(now);
  }

  /** Attempt 0 on the hot path answered: the call is done. Called by its {@link Attempt}. */
  answered(a: Admitted, value: unknown): void {
    settle(a);
    this.end();
    this.resolve!(value);
  }

  /** Attempt 0 on the hot path failed: the retry loop takes over. Called by its {@link Attempt}. */
  failedFirst(a: Admitted, error: MicroError, sent: boolean): void {
    this.resolve!(this.retried(a, { ok: false, error, sent }));
  }

  /**
   * The nodes of this call. A call that is not idempotent, by name, among several nodes (or nodes a
   * custom selector does not count) is held at the client's live gate: it may be sent elsewhere only
   * while it was not written, and with one node there is nowhere else.
   */
  private setNext(next: Next): void {
    this.next = next;
    const nodes = next.nodes;
    this.gated =
      this.rt.gate !== undefined && !this.idempotent && this.o.address === undefined && (nodes === undefined || nodes.length > 1);
  }

  /** The call's selection options: the per-node cap unless `select.maxInflight` is set, and the consistent-hash key from `hashKey` unless `select.key` is set. */
  private selectOptions(req: unknown): SelectOptions {
    const { o } = this;
    const s = this.rt.settings;
    let select = o.select ?? NO_SELECT;
    if (s.nodeLimit !== undefined && select.maxInflight === undefined) select = { ...select, maxInflight: s.nodeLimit };
    const hashKey = o.hashKey ?? s.hashKey;
    if (!hashKey || select.key !== undefined) return select;
    const key = hashKey(req, this.md);
    return key === undefined ? select : { ...select, key };
  }

  /** The selector's nodes picked now, or undefined when the selector would have to wait for them. */
  private selectNow(req: unknown): Next | undefined {
    const next = this.rt.selector()?.selectNow?.(this.service, this.selectOptions(req));
    return next && this.refuseStream(next);
  }

  /** A stream endpoint is refused before anything is sent: the registry says which kind it is. */
  private refuseStream(next: Next): Next {
    const kind = this.rt.streamKind(next, this.endpoint);
    if (kind) throw unaryToStream(this.name, this.endpoint, kind);
    return next;
  }

  /** Attempt 0, then retries: on a pooled connection the answer arrives in {@link answered} straight from the connection. */
  private firstAttempt(now?: number): Promise<unknown> {
    let a: Admitted;
    try {
      a = this.rt.admit(this.next, this.endpoint, undefined);
    } catch (e) {
      this.end();
      return Promise.reject(e);
    }
    const mux = this.gated ? undefined : this.rt.pool.pick(a.sel.node.address);
    if (!mux) return this.attempt(a).then((outcome) => this.retried(a, outcome));
    // The executor runs at once, so a failure reported while opening finds `resolve` in place.
    return new Promise((resolve) => {
      this.resolve = resolve;
      new Attempt(this, a, undefined, undefined).open(mux, now);
    });
  }

  /** One attempt on one node, as an outcome (a dial may come first). `signal` (hedging) abandons it: the server's handler sees `ctx.signal` abort. */
  private async attempt(a: Admitted, signal?: AbortSignal): Promise<Outcome<unknown>> {
    const { pool } = this.rt;
    let mux: Mux;
    try {
      // An open connection is taken synchronously; only a dial is raced against the deadline.
      mux = pool.pick(a.sel.node.address) ?? (await raceAbort(pool.get(a.sel.node.address), this.scope, this.name));
      if (signal?.aborted) throw signal.reason;
      const gate = this.rt.gate;
      if (this.gated && gate && !(await raceAbort(gate.confirm(mux), this.scope, this.name))) {
        return { ok: false, error: gate.refusal(this.name, mux), sent: false };
      }
    } catch (error) {
      return { ok: false, error, sent: false };
    }
    return new Promise<Outcome<unknown>>((resolve) => new Attempt(this, a, resolve, signal).open(mux));
  }

  /** Attempt 0 ended (or needed a dial): the retry loop takes over when it failed; resolves with the value or rejects. */
  private async retried(first: Admitted, outcome: Outcome<unknown>): Promise<unknown> {
    try {
      if (outcome.ok) {
        settle(first);
        return outcome.value;
      }
      this.startLog({ node: first.sel.node, error: outcome.error });
      const { value, admitted } = await withRetries(this, (a) => this.attempt(a), { admitted: first, outcome });
      settle(admitted);
      return value;
    } catch (e) {
      throw this.explain(e);
    } finally {
      this.end();
    }
  }

  /** A call that waits before attempt 0: for a bulkhead slot, for the selection, or to hedge. */
  private async waited(req: unknown): Promise<unknown> {
    const { rt, o, scope } = this;
    let release: (() => void) | undefined;
    try {
      const bh = rt.bulkheadOf(this.service);
      if (bh) release = await bh.acquire({ signal: scope.signal });
      rt.retryBudget?.onCall();
      // A direct address needs no selection: no promise to wait for.
      this.setNext(o.address !== undefined ? rt.fixedNode(o.address) : this.refuseStream(await this.select(req)));
      if (!o.hedge) return await this.firstAttempt();
      this.startLog();
      return await this.hedged(o.hedge.delay, o.hedge.maxAttempts ?? Math.max(2, 1 + this.retries));
    } catch (e) {
      throw this.explain(e);
    } finally {
      release?.();
      this.end();
    }
  }

  /**
   * Attempts on distinct nodes `delay` ms apart (a failure starts the next at once); the first answer
   * wins and the others are cancelled. Extra attempts draw on the retry budget; an error no node
   * would answer differently ends the call at once.
   */
  private async hedged(delay: number, maxAttempts: number): Promise<unknown> {
    const { rt, scope, name } = this;
    const stop = new AbortController();
    let fatal: { error: unknown } | undefined;
    let failure: { error: unknown } | undefined;
    const attempt = async (signal: AbortSignal, n: number): Promise<unknown> => {
      const budget = rt.retryBudget;
      if (n > 0 && budget && !budget.tryRetry()) throw canceled(`${name}: the retry budget allows no hedged attempt`);
      const a = rt.admit(this.next, this.endpoint, undefined);
      const r = await this.attempt(a, signal);
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
      return await hedge(attempt, { delay, maxAttempts, signal: AbortSignal.any([scope.signal, stop.signal]) });
    } catch (e) {
      if (fatal) throw fatal.error;
      if (scope.aborted) throw abortReason(scope.reason, name);
      // A hedge the budget refused is no news: the caller wants the last real failure.
      throw failure ? failure.error : e;
    }
  }

  /** By name: from now on each attempt's failure is logged for the final error; `first` already failed. */
  private startLog(first?: Failure): void {
    if (this.o.address !== undefined || this.log) return;
    this.log = attemptLog(this.service, this.next, first);
    this.next = this.log.next;
  }

  /** The final error, explained when no node could be reached at all. */
  private explain(e: unknown): unknown {
    return this.log ? this.log.explain(e) : e;
  }
}

/**
 * One unary call: its plan, then its attempts (see the diagram at the top of this file).
 * @example const res = await unaryCall(rt, 'greeter', 'Greeter.hello', { name: 'Ada' }, {})
 */
export function unaryCall(rt: ClientRuntime, service: string, endpoint: string, req: unknown, o: CallOptions): Promise<unknown> {
  const now = Date.now();
  let plan: CallPlan;
  try {
    plan = new CallPlan(rt, service, endpoint, o, o.timeout ?? rt.settings.timeout, now);
  } catch (e) {
    return Promise.reject(e);
  }
  return plan.unary(req, now);
}
