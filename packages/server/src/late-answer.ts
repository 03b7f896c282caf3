import type { Codec } from '@tsmicro/codec';
import type { Logger } from '@tsmicro/core';
import type { CallScope, RpcStream } from '@tsmicro/transport/rpc';
import { answerError, begin, type DispatchEnv, finish, noop, type Running } from './call-lifecycle.js';

/**
 * A unary call whose handler (or wrapper chain) returned a promise: answered when it settles, or
 * with the scope's reason when that aborts first (deadline, cancel, lost connection, stop).
 *
 * Most such promises settle among the microtasks of the run that made them (wrappers around a quick
 * handler). The deadline timer, the cancel hook and stop's tracking are what a call needs only once
 * it outlives that run, so they start in one batch after it (`setImmediate`: after the microtasks,
 * before any timer or later frame can act on the call), and only for calls still pending then.
 */
export class LateAnswer {
  private settled = false;
  private running: Running | undefined;

  constructor(
    private readonly env: DispatchEnv,
    private readonly s: RpcStream,
    private readonly codec: Codec,
    private readonly logger: Logger,
    private readonly scope: CallScope,
  ) {
    env.started();
  }

  wait(out: PromiseLike<unknown>): void {
    out.then(
      (v) => this.answer(v),
      (e: unknown) => this.fail(e),
    );
    later.push(this);
    if (later.length === 1) setImmediate(startLater);
  }

  /** Still pending after its first run: from now on the call can time out, be cancelled and be stopped. */
  goLong(): void {
    if (this.settled) return;
    this.running = begin(this.env, this.s, this.scope);
    this.scope.onAbort((reason) => this.fail(reason));
  }

  private answer(v: unknown): void {
    if (this.settled) return;
    let body: Uint8Array;
    try {
      body = this.codec.encode(v);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.settled = true;
    // The frame is queued now; a failed write means the connection is gone, with nobody to tell.
    this.s.sendLast(body).catch(noop);
    this.end();
  }

  private fail(e: unknown): void {
    if (this.settled) return;
    this.settled = true;
    answerError(this.env, this.s, e, this.logger);
    this.end();
  }

  private end(): void {
    if (this.running) finish(this.env, this.running);
    else this.scope.dispose();
    this.env.ended();
  }
}

let later: LateAnswer[] = [];

function startLater(): void {
  const batch = later;
  later = [];
  for (const a of batch) a.goLong();
}
