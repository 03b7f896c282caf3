import { type MicroError, serviceUnavailable } from '@tsmicro/core';
import type { Mux } from '@tsmicro/transport/rpc';

/**
 * Holds a call that is not idempotent until its node proves alive: a ping sent after the node was
 * chosen must be answered before the request is written. A frozen process keeps its socket open, and
 * in the first milliseconds of a freeze nothing else (silence, keepalive) can tell it from a node
 * between two answers; a request written to it then has an unknown outcome and cannot be moved. A
 * request held back can: the pong that never came proves the handler never ran.
 *
 * Calls chosen in the same turn on the same connection share one ping (the writer sends both in the
 * same flush, so the ping still leaves after each of them was chosen).
 */
export class LiveGate {
  /** The ping of the current turn per connection, joined by the calls chosen in that turn. */
  private readonly turn = new WeakMap<Mux, Promise<boolean>>();

  /** `ms`: how long a pong may take before the node counts as not alive. */
  constructor(readonly ms: number) {}

  /** True once `mux`'s peer answered a ping sent now (or earlier in this same turn); false past `ms` or when the connection closed. */
  confirm(mux: Mux): Promise<boolean> {
    const shared = this.turn.get(mux);
    if (shared) return shared;
    const p = mux.ping(this.ms);
    this.turn.set(mux, p);
    // The writer flushes on process.nextTick too: a call chosen after this would only join a ping already sent.
    process.nextTick(() => {
      if (this.turn.get(mux) === p) this.turn.delete(mux);
    });
    return p;
  }

  /** Why a call held at the gate was not sent: a 503 that no handler ran, so it may go to another node whatever its idempotency. */
  refusal(name: string, mux: Mux): MicroError {
    const why = mux.isClosed ? 'the connection closed' : `no answer to a ping within ${this.ms} ms (confirmAlive)`;
    return serviceUnavailable(`${name} was not sent to ${mux.remote}: ${why}; the handler did not run`);
  }
}
