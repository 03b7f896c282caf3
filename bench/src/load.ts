import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHistogram, type LatencySummary } from './histogram.js';

/** Timing of one measured run. */
export interface LoadOptions {
  /** Calls kept in flight. */
  concurrency: number;
  /** Milliseconds run but not measured, so JIT and buffers settle first. */
  warmupMs: number;
  /** Milliseconds measured. */
  measureMs: number;
}

/** What a client process reports for one row. */
export interface LoadResult {
  /** Calls (or stream messages) completed inside the measured window. */
  ops: number;
  seconds: number;
  errors: number;
  latency: LatencySummary;
}

/** Past this many failed calls the run stops: a broken target would only spin. */
const MAX_ERRORS = 100;

/**
 * Closed loop: `concurrency` workers each issue the next call as soon as the previous one ends.
 * Stops by itself when the window closes.
 */
export async function runClosedLoop(call: () => Promise<unknown>, o: LoadOptions): Promise<LoadResult> {
  const hist = createHistogram();
  const start = performance.now();
  const measureStart = start + o.warmupMs;
  const measureEnd = measureStart + o.measureMs;
  let ops = 0;
  let errors = 0;
  let firstError: unknown;
  const worker = async () => {
    while (errors < MAX_ERRORS) {
      const t0 = performance.now();
      if (t0 >= measureEnd) return;
      try {
        await call();
      } catch (e) {
        errors++;
        firstError ??= e;
        continue;
      }
      const t1 = performance.now();
      if (t0 >= measureStart && t1 <= measureEnd) {
        ops++;
        hist.record((t1 - t0) * 1e6);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  if (errors >= MAX_ERRORS) throw firstError;
  return { ops, seconds: o.measureMs / 1000, errors, latency: hist.summary() };
}

/**
 * Runs streams back to back and counts the messages that arrive inside the window. Returns when
 * the window closes, without waiting for the stream in progress (the caller closes it).
 */
export async function runStreamLoop(
  stream: (onItem: () => void) => Promise<unknown>,
  o: Omit<LoadOptions, 'concurrency'>,
): Promise<LoadResult> {
  const start = performance.now();
  const measureStart = start + o.warmupMs;
  const measureEnd = measureStart + o.measureMs;
  let ops = 0;
  const onItem = () => {
    const t = performance.now();
    if (t >= measureStart && t <= measureEnd) ops++;
  };
  const windowClosed = sleep(measureEnd - start, 'closed' as const);
  let streams = 0;
  while (performance.now() < measureEnd) {
    const current = stream(onItem).then(() => 'done' as const);
    // The stream still running when the window closes is abandoned; its later failure is expected.
    current.catch(() => {});
    const done = await Promise.race([current, windowClosed]);
    if (done === 'closed') break;
    streams++;
  }
  const empty: LatencySummary = { count: streams, p50: 0, p99: 0, max: 0, mean: 0 };
  return { ops, seconds: o.measureMs / 1000, errors: 0, latency: empty };
}
