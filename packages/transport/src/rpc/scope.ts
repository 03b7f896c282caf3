import { type Deadlines, Timed } from './deadlines.js';

/**
 * The cancellation scope of one call, cheaper than an AbortController: most calls never read
 * their signal, so the controller is only made when `signal` is read. Aborts on its deadline,
 * on a parent signal, or by `abort()`.
 */
export interface CallScope {
  readonly deadline: number | undefined;
  readonly aborted: boolean;
  readonly reason: unknown;
  /** An AbortSignal mirroring this scope, made on first read. */
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
  /** Runs `fn` once on abort (at once when already aborted); returns an unsubscribe function. */
  onAbort(fn: (reason: unknown) => void): () => void;
  /** Clears the timer and detaches from the parents; call it when the work ends. */
  dispose(): void;
  /** Starts the deadline timer of a scope made with `deferTimer`; harmless otherwise. */
  arm(): void;
}

/** Options of {@link callScope}. */
export interface CallScopeOptions {
  /** Absolute deadline, epoch ms. Default: none. */
  deadline?: number | undefined;
  /** The scope aborts with a parent's reason when it aborts. Default: none. */
  parents?: ReadonlyArray<AbortSignal | undefined>;
  /** Makes the abort reason when the deadline passes. */
  onDeadline: () => unknown;
  /** Epoch ms the caller already read for this call (saves reading the clock again). Default: `Date.now()`. */
  now?: number;
  /**
   * Start the deadline timer only at {@link CallScope.arm} (a deadline already passed still aborts at
   * once). Work that ends in the same synchronous run cannot see a timer fire, so it need not pay for one.
   */
  deferTimer?: boolean;
  /**
   * The deadline lists the timer joins: its owner's (a server's, a client's), so calls of different
   * owners share no timer state.
   */
  deadlines: Deadlines;
}

class Scope extends Timed implements CallScope {
  private ac: AbortController | undefined;
  private why: unknown;
  private done = false;
  /** The first listener has its own slot: a call usually has one, and then needs no array. */
  private fn1: ((reason: unknown) => void) | undefined;
  private fns: Array<(reason: unknown) => void> | undefined;
  private readonly onDeadline: () => unknown;
  private detach: Array<() => void> | undefined;
  private deferred = false;
  private readonly deadlines: Deadlines;

  constructor(o: CallScopeOptions) {
    super();
    this.deadline = o.deadline;
    this.onDeadline = o.onDeadline;
    this.deadlines = o.deadlines;
    for (const p of o.parents ?? []) {
      if (!p) continue;
      if (p.aborted) {
        this.abort(p.reason);
        return;
      }
      const onAbort = () => this.abort(p.reason);
      p.addEventListener('abort', onAbort, { once: true });
      this.detach ??= [];
      this.detach.push(() => p.removeEventListener('abort', onAbort));
    }
    if (o.deadline !== undefined) {
      const ms = o.deadline - (o.now ?? Date.now());
      // `!(ms > 0)`: a NaN deadline counts as passed, never as a timer that re-arms forever.
      if (!(ms > 0)) this.abort(o.onDeadline());
      else if (o.deferTimer) this.deferred = true;
      else this.schedule(this.deadlines, o.deadline, ms);
    }
  }

  arm(): void {
    if (!this.deferred || this.done) return;
    this.deferred = false;
    const deadline = this.deadline as number;
    const ms = deadline - Date.now();
    if (ms > 0) this.schedule(this.deadlines, deadline, ms);
    else this.abort(this.onDeadline());
  }

  protected expired(): void {
    this.abort(this.onDeadline());
  }

  readonly deadline: number | undefined;

  get aborted(): boolean {
    return this.done;
  }

  get reason(): unknown {
    return this.why;
  }

  get signal(): AbortSignal {
    if (!this.ac) {
      this.ac = new AbortController();
      if (this.done) this.ac.abort(this.why);
    }
    return this.ac.signal;
  }

  abort(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.why = reason;
    this.dispose();
    this.ac?.abort(reason);
    const fn1 = this.fn1;
    const fns = this.fns;
    this.fn1 = undefined;
    this.fns = undefined;
    fn1?.(reason);
    if (fns) for (const fn of fns) fn(reason);
  }

  onAbort(fn: (reason: unknown) => void): () => void {
    if (this.done) {
      fn(this.why);
      return () => {};
    }
    if (this.fn1 === undefined) {
      this.fn1 = fn;
      return () => {
        if (this.fn1 === fn) this.fn1 = undefined;
      };
    }
    this.fns ??= [];
    const fns = this.fns;
    fns.push(fn);
    return () => {
      const i = fns.indexOf(fn);
      if (i >= 0) fns.splice(i, 1);
    };
  }

  dispose(): void {
    this.deferred = false;
    this.unschedule();
    const d = this.detach;
    this.detach = undefined;
    if (d) for (const f of d) f();
  }
}

/** @example const s = callScope({ deadline: Date.now() + 1000, onDeadline: () => timeout('too slow'), deadlines }) */
export function callScope(o: CallScopeOptions): CallScope {
  return new Scope(o);
}

/** Rejects with the scope's reason (mapped by `toError`) once it aborts; otherwise settles like `p`. */
export function raceScope<T>(p: Promise<T>, scope: CallScope, toError: (reason: unknown) => unknown = (r) => r): Promise<T> {
  if (scope.aborted) {
    // Nobody awaits `p` any more: its own failure must not become an unhandled rejection (which ends the process).
    p.catch(() => {});
    return Promise.reject(toError(scope.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const off = scope.onAbort((r) => reject(toError(r)));
    p.then(
      (v) => {
        off();
        resolve(v);
      },
      (e: unknown) => {
        off();
        reject(e);
      },
    );
  });
}
