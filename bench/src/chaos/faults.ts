import { readFile } from 'node:fs/promises';
import type { LoadProc } from './cluster.js';

/**
 * Asks the load client to count the `Chaos.once` attempts in flight on `address` right now; resolves with that count.
 * With `signal`, the load client sends it to process `pid` right after counting, in the same turn (a runner
 * sending it after the reply would let calls start or end in between).
 */
export async function markNode(load: LoadProc, address: string, signal?: { pid: number; name: NodeJS.Signals }): Promise<number> {
  load.box.send(signal ? { type: 'mark', address, signal } : { type: 'mark', address });
  return (await load.box.next('marked', 5000)).inflight;
}

/** Ids the servers wrote to `file` more than once (executions of a non-idempotent call). */
export async function executedTwice(file: string): Promise<{ executions: number; twice: number }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const seen = new Map<string, number>();
  for (const id of text.split('\n')) if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
  let twice = 0;
  for (const n of seen.values()) if (n > 1) twice++;
  return { executions: seen.size, twice };
}

const BUCKET_MS = 100;

/** Successful calls per second in the timeline's buckets covering [fromMs, toMs) since the load started. */
export function rateBetween(timeline: readonly number[], fromMs: number, toMs: number): number {
  const a = Math.max(0, Math.floor(fromMs / BUCKET_MS));
  const b = Math.max(a + 1, Math.floor(toMs / BUCKET_MS));
  let n = 0;
  for (let i = a; i < b; i++) n += timeline[i] ?? 0;
  return (n * 1000) / ((b - a) * BUCKET_MS);
}

/**
 * Ms from `atMs` (since the load started) until the rate over a sliding `windowMs` is back to
 * `share` of `baseline` calls/s; undefined when it never is within the timeline.
 */
export function recoveryMs(timeline: readonly number[], atMs: number, baseline: number, share: number, windowMs = 500): number | undefined {
  for (let t = Math.floor(atMs / BUCKET_MS) * BUCKET_MS; t + windowMs <= timeline.length * BUCKET_MS; t += BUCKET_MS) {
    if (rateBetween(timeline, t, t + windowMs) >= share * baseline) return Math.max(0, t - atMs);
  }
  return undefined;
}
