/**
 * The publishes of one broker still awaiting their confirmation, so `flush()` can wait for exactly
 * those made before it: a snapshot, not "until nothing is pending", which a steady publisher would
 * never reach.
 */
export class PendingPublishes {
  private readonly inflight = new Set<Promise<unknown>>();

  /** Tracks `p` until it settles; returns it unchanged. */
  track<T>(p: Promise<T>): Promise<T> {
    const inflight = this.inflight;
    inflight.add(p);
    const drop = () => {
      inflight.delete(p);
    };
    p.then(drop, drop);
    return p;
  }

  /** Resolves once every publish tracked so far has settled, confirmed or failed (each failure is its own publish's to report). */
  settled(): Promise<void> {
    if (this.inflight.size === 0) return Promise.resolve();
    return Promise.allSettled([...this.inflight]).then(() => undefined);
  }
}
