import { type CallScope, Deadlines } from '@tsmicro/transport/rpc';

/** A call still pending after the run that started it (see call.ts). */
export interface LongCall {
  /** From now on the call can time out, be cancelled and be cut by `stop()`. */
  goLong(): void;
}

/**
 * The calls of one server, as `stop()` needs to see them: whether new ones are admitted, how many
 * went on past their first synchronous run and their scopes (to cut them after the grace period),
 * and who waits for none to be left. It also holds what those calls share instead of the module:
 * the deadline lists their timers join, and the batch of calls whose answer came late.
 */
export class Calls {
  /** False from the start of `stop()`: new requests get a retryable 503. */
  open = true;
  /** Requests that arrived, so a stopping server can tell when its connections have gone quiet. */
  seen = 0;
  readonly deadlines = new Deadlines();
  private running = 0;
  private readonly scopes = new Set<CallScope>();
  private waiting: Array<() => void> = [];
  private late: LongCall[] = [];

  /** A call goes on past its first synchronous run; `stop()` waits for it. */
  started(): void {
    this.running++;
  }

  /** That call is over. */
  ended(): void {
    if (--this.running > 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  /** Calls past their first run and not over yet. */
  get size(): number {
    return this.running;
  }

  /** Keeps the scope of a running call so `stop()` can cut it. */
  track(scope: CallScope): void {
    this.scopes.add(scope);
  }

  /** The call ended: forget its scope. */
  untrack(scope: CallScope): void {
    this.scopes.delete(scope);
  }

  /** Resolves when no call is running. */
  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Aborts every running call with `reason`. */
  cut(reason: unknown): void {
    for (const scope of [...this.scopes]) scope.abort(reason);
  }

  /**
   * `call.goLong()` runs once the microtasks of this turn are done, with every other call of the
   * turn in one batch (`setImmediate`: before any timer or later frame can act on them).
   */
  later(call: LongCall): void {
    this.late.push(call);
    if (this.late.length === 1) setImmediate(this.goLong);
  }

  private readonly goLong = (): void => {
    const batch = this.late;
    this.late = [];
    for (const c of batch) c.goLong();
  };
}
