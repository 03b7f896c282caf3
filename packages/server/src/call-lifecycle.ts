import type { CodecSet } from '@tsmicro/codec';
import { type Logger, toMicroError } from '@tsmicro/core';
import type { CallScope, RpcStream } from '@tsmicro/transport/rpc';
import type { Route } from './router.js';

/** What serving a call needs from the server. */
export interface DispatchEnv {
  readonly name: string;
  readonly routes: ReadonlyMap<string, Route>;
  readonly codecs: CodecSet;
  readonly logger: Logger;
  /** This server's node id. */
  readonly node: string;
  /** The caller's address (one env per connection). */
  readonly peer: string;
  /** Keeps the scope of a running call so `stop()` can abort it after the grace period. */
  track(scope: CallScope): void;
  /** The call ended: forget its scope. */
  untrack(scope: CallScope): void;
  /** A call goes on past its first synchronous run; `stop()` waits for it. */
  started(): void;
  /** That call is over. */
  ended(): void;
}

export const noop = (): void => {};

/** What a call that outlives its first synchronous run holds until its end. */
export interface Running {
  readonly scope: CallScope;
  readonly offFail: () => void;
}

/**
 * The call goes asynchronous: its deadline timer starts, a peer's cancel or a lost connection aborts
 * it, and `stop()` can abort it. A call answered in the same synchronous run needs none of this: no
 * timer can fire and no frame can arrive before it is over.
 */
export function begin(env: DispatchEnv, s: RpcStream, scope: CallScope): Running {
  scope.arm();
  env.track(scope);
  return { scope, offFail: s.onFail((e) => scope.abort(e)) };
}

export function finish(env: DispatchEnv, r: Running): void {
  r.offFail();
  env.untrack(r.scope);
  r.scope.dispose();
}

/** Answers a failed call with its error, unless nobody is left to answer (cancelled, connection lost). */
export function answerError(env: DispatchEnv, s: RpcStream, e: unknown, logger: Logger): void {
  if (s.failed) return;
  const err = toMicroError(e, env.name);
  if (err.code >= 500 && err.code !== 503) logger.warn({ err: err.detail, code: err.code }, 'handler failed');
  s.fail(err).catch(noop);
}
