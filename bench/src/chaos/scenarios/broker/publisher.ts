import type { Broker } from '@tsmicro/broker';

/** What a bounded publish run did. A message is "sent" once the broker acknowledged it. */
export interface PublishStats {
  attempted: number;
  sent: number;
  /** Every attempt failed: counted as not sent, never as lost. */
  notSent: number;
  /** Failed attempts that were tried again. */
  retries: number;
  /** Longest time between two consecutive acknowledged publishes. */
  longestGapMs: number;
  elapsedMs: number;
  /** `sentMask[seq] === 1` when message `seq` was acknowledged. */
  sentMask: Uint8Array;
}

export interface PublishRun {
  /** Acknowledged so far. */
  readonly sent: number;
  /** Every message was tried. */
  readonly finished: boolean;
  readonly done: Promise<PublishStats>;
}

export interface PublishOptions {
  n: number;
  concurrency: number;
  /** Tries per message, the first included. */
  attempts: number;
  /** Stops early (the rest counts as not attempted). */
  signal: AbortSignal;
}

/** Publishes messages `0..n-1` (body: the decimal sequence number) with `concurrency` in flight. */
export function publishAll(broker: Broker, topic: string, o: PublishOptions): PublishRun {
  const sentMask = new Uint8Array(o.n);
  const stats = { attempted: 0, sent: 0, notSent: 0, retries: 0, longestGapMs: 0 };
  const encoder = new TextEncoder();
  const t0 = performance.now();
  let last = t0;
  let next = 0;
  let finished = false;

  const one = async (seq: number) => {
    const body = encoder.encode(String(seq));
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      try {
        await broker.publish(topic, { header: {}, body });
        sentMask[seq] = 1;
        stats.sent++;
        const now = performance.now();
        stats.longestGapMs = Math.max(stats.longestGapMs, now - last);
        last = now;
        return;
      } catch {
        if (attempt < o.attempts && !o.signal.aborted) {
          stats.retries++;
          await new Promise((r) => setTimeout(r, 100));
        } else break;
      }
    }
    stats.notSent++;
  };
  const worker = async () => {
    while (next < o.n && !o.signal.aborted) {
      const seq = next++;
      stats.attempted++;
      await one(seq);
    }
  };
  const done = Promise.all(Array.from({ length: o.concurrency }, worker)).then(() => {
    finished = true;
    return {
      ...stats,
      longestGapMs: Math.round(stats.longestGapMs),
      elapsedMs: Math.round(performance.now() - t0),
      sentMask,
    };
  });
  return {
    get sent() {
      return stats.sent;
    },
    get finished() {
      return finished;
    },
    done,
  };
}
