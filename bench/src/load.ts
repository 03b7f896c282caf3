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
  /** Called once when the measured window opens (the parent then marks the server's CPU time). */
  onWindow?: () => void;
}

/** What a client process reports for one row. */
export interface LoadResult {
  /** Calls (or stream messages) completed inside the measured window. */
  ops: number;
  seconds: number;
  errors: number;
  latency: LatencySummary;
  /** Share of one core this process used over the measured window (user + system CPU time ÷ wall time). */
  cpu: number;
}

/** The share of one core that `cpuUs` µs of CPU time make over `wallMs` ms of wall time (0 for no time). */
export function coreShare(cpuUs: number, wallMs: number): number {
  return wallMs > 0 ? cpuUs / (wallMs * 1000) : 0;
}

/** This process's CPU time from the window's start: `stop()` gives the share of a core used since. */
function cpuWindow(o: Omit<LoadOptions, 'concurrency'>): { stop(): number } {
  let from: { cpu: NodeJS.CpuUsage; at: number } | undefined;
  const timer = setTimeout(() => {
    from = { cpu: process.cpuUsage(), at: performance.now() };
    o.onWindow?.();
  }, o.warmupMs);
  return {
    stop() {
      clearTimeout(timer);
      if (!from) return 0;
      const used = process.cpuUsage(from.cpu);
      return coreShare(used.user + used.system, performance.now() - from.at);
    },
  };
}

/** Past this many failed calls the run stops: a broken target would only spin. */
const MAX_ERRORS = 100;

/**
 * Closed loop: `concurrency` workers each issue the next call as soon as the previous one ends.
 * Stops by itself when the window closes.
 */
export async function runClosedLoop(call: () => Promise<unknown>, o: LoadOptions): Promise<LoadResult> {
  const hist = createHistogram();
  const window = cpuWindow(o);
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
  const cpu = window.stop();
  if (errors >= MAX_ERRORS) throw firstError;
  return { ops, seconds: o.measureMs / 1000, errors, latency: hist.summary(), cpu };
}

/**
 * Runs streams back to back and counts the messages that arrive inside the window. Returns when
 * the window closes, without waiting for the stream in progress (the caller closes it).
 */
export async function runStreamLoop(
  stream: (onItem: () => void) => Promise<unknown>,
  o: Omit<LoadOptions, 'concurrency'>,
): Promise<LoadResult> {
  const window = cpuWindow(o);
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
  return { ops, seconds: o.measureMs / 1000, errors: 0, latency: empty, cpu: window.stop() };
}
