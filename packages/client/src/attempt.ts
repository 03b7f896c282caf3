import type { Codec } from '@tsmicro/codec';
import { canceled, type MicroError, timeout } from '@tsmicro/core';
import type { CallScope, Mux, UnaryReceiver } from '@tsmicro/transport/rpc';
import { abortReason } from './abort.js';
import type { CallOptions } from './client.js';
import type { Outcome } from './retry.js';
import type { Admitted } from './runtime.js';

/** What an attempt reads from its call's plan (call-plan.ts), and where attempt 0 on the hot path reports. */
export interface AttemptPlan {
  /** `service.endpoint`, as errors name the call. */
  readonly name: string;
  readonly codec: Codec;
  readonly o: CallOptions;
  readonly scope: CallScope;
  readonly attemptMs: number | undefined;
  /** The encoded request. */
  readonly body: Uint8Array;
  header(now?: number): Record<string, string>;
  answered(a: Admitted, value: unknown): void;
  failedFirst(a: Admitted, error: MicroError, sent: boolean): void;
}

/**
 * One attempt of a unary call on one node: opens it, cancels it when the call's scope aborts (or
 * `signal`, a hedge that lost), decodes the answer, and reports the outcome once: to `report`, or,
 * for attempt 0 on the hot path (no `report`), to the plan itself.
 */
export class Attempt implements UnaryReceiver {
  private ended = false;
  /** Unset while the call is being opened, when a closed connection may already fail it. */
  private off: (() => void) | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;
  private abandon: (() => void) | undefined = undefined;

  constructor(
    private readonly plan: AttemptPlan,
    private readonly a: Admitted,
    private readonly report: ((o: Outcome<unknown>) => void) | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Sends the request on `mux`; the outcome may arrive before this returns. */
  open(mux: Mux, now?: number): void {
    const { plan, signal } = this;
    const node = this.a.sel.node.id;
    const call = mux.call(plan.header(now), plan.body, this, plan.o.compression);
    // A call failed at once (closed connection) has nothing left to cancel.
    if (this.ended) return;
    this.off = plan.scope.onAbort((r) => call.cancel(abortReason(r, plan.name)));
    const ms = plan.attemptMs;
    if (ms !== undefined) {
      const why = () => timeout(`${plan.name}: the attempt on ${node} took over ${ms} ms (attemptTimeout); trying another node`);
      this.timer = setTimeout(() => call.cancel(why()), ms);
    }
    if (signal) {
      const abandon = () => call.cancel(canceled(`${plan.name} on ${node} was abandoned: another hedged attempt won`));
      this.abandon = abandon;
      signal.addEventListener('abort', abandon, { once: true });
    }
  }

  resolved(body: Uint8Array): void {
    let value: unknown;
    try {
      value = this.plan.codec.decode(body);
    } catch (error) {
      this.failed(error as MicroError, true);
      return;
    }
    this.end();
    if (this.report) this.report({ ok: true, value });
    else this.plan.answered(this.a, value);
  }

  failed(error: MicroError, sent: boolean): void {
    this.end();
    if (this.report) this.report({ ok: false, error, sent });
    else this.plan.failedFirst(this.a, error, sent);
  }

  private end(): void {
    this.ended = true;
    this.off?.();
    if (this.timer) clearTimeout(this.timer);
    if (this.abandon) this.signal?.removeEventListener('abort', this.abandon);
  }
}
