import { createClient } from '@tsmicro/client';
import { tcpTransport } from '@tsmicro/transport';
import { formatGrid } from '../grid.js';
import { runClosedLoop } from '../load.js';
import { entryOf, spawnServer } from '../resilience/index.js';

/** Options of {@link benchAsyncZlib}. */
export interface AsyncZlibOptions {
  /** Reply sizes to measure, in records (about 131 bytes of JSON each). Default 16 KiB to 1 MiB. */
  records?: readonly number[];
  /** Calls of the big reply in flight. Default 8. */
  concurrency?: number;
  /** Paired rounds (sync and async alternate which goes first). Default 3. */
  rounds?: number;
  measureMs?: number;
  warmupMs?: number;
  progress?: (line: string) => void;
}

/** One reply size, sync against async zlib, medians of the rounds. */
export interface AsyncZlibRow {
  /** Bytes of JSON per reply, before compression. */
  bytes: number;
  syncCallsPerSecond: number;
  asyncCallsPerSecond: number;
  /** Microseconds: p99 of a small uncompressed call made one at a time meanwhile (same processes). */
  syncPingP99: number;
  asyncPingP99: number;
}

type Mode = 'sync' | 'async';
/** `asyncFrom` for each mode: the pool never, or always. */
const ASYNC_FROM: Record<Mode, number> = { sync: Number.POSITIVE_INFINITY, async: 0 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * When zlib's thread pool pays: gzip replies of growing size at c=8, compressed by the server and
 * decompressed by the client either always in the event loop's turn (`asyncFrom: Infinity`) or
 * always on the pool (`asyncFrom: 0`), while a small uncompressed call runs one at a time beside
 * them. The default `asyncFrom` (128 KiB) is set where these rows cross. Server in its own process.
 * @example const rows = await benchAsyncZlib({ rounds: 3 })
 */
export async function benchAsyncZlib(o: AsyncZlibOptions = {}): Promise<AsyncZlibRow[]> {
  const sizes = o.records ?? [125, 500, 1000, 2000, 8000];
  const rounds = o.rounds ?? 3;
  const rows: AsyncZlibRow[] = [];
  for (const n of sizes) {
    const runs: Record<Mode, { rate: number[]; ping: number[] }> = { sync: { rate: [], ping: [] }, async: { rate: [], ping: [] } };
    let bytes = 0;
    for (let r = 0; r < rounds; r++) {
      for (const mode of (r % 2 === 0 ? ['sync', 'async'] : ['async', 'sync']) as Mode[]) {
        o.progress?.(`async zlib: ${n} records, ${mode}, round ${r + 1}/${rounds}`);
        const m = await measure(n, mode, o);
        bytes = m.bytes;
        runs[mode].rate.push(m.rate);
        runs[mode].ping.push(m.pingP99);
      }
    }
    rows.push({
      bytes,
      syncCallsPerSecond: median(runs.sync.rate),
      asyncCallsPerSecond: median(runs.async.rate),
      syncPingP99: median(runs.sync.ping),
      asyncPingP99: median(runs.async.ping),
    });
  }
  return rows;
}

async function measure(n: number, mode: Mode, o: AsyncZlibOptions): Promise<{ bytes: number; rate: number; pingP99: number }> {
  const asyncFrom = ASYNC_FROM[mode];
  const node = await spawnServer(entryOf('../wire/server', import.meta.url), ['gzip', String(asyncFrom)], `zlib-${mode}`);
  const big = createClient({ transport: tcpTransport(), compression: { encoding: 'gzip', asyncFrom } });
  const small = createClient({ transport: tcpTransport() });
  try {
    const opts = { address: node.address, timeout: 30_000 };
    const call = () => big.call('wire', 'Wire.recordsN', { n }, opts);
    const ping = () => small.call('wire', 'Wire.ping', {}, opts);
    const bytes = JSON.stringify(await call()).length;
    const window = { warmupMs: o.warmupMs ?? 1000, measureMs: o.measureMs ?? 5000 };
    const [load, pings] = await Promise.all([
      runClosedLoop(call, { concurrency: o.concurrency ?? 8, ...window }),
      runClosedLoop(ping, { concurrency: 1, ...window }),
    ]);
    if (load.errors + pings.errors > 0)
      throw new Error(`async zlib bench: ${load.errors + pings.errors} calls failed (${n} records, ${mode})`);
    return { bytes, rate: load.ops / load.seconds, pingP99: pings.latency.p99 };
  } finally {
    await Promise.all([big.close(), small.close()]);
    await node.stop();
  }
}

const kib = (b: number) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${Math.round(b / 1024)} KiB`);

/** The rows as a table: rates and the small call's p99, async against sync. */
export function formatAsyncZlib(rows: readonly AsyncZlibRow[], o: { markdown?: boolean } = {}): string {
  const body = rows.map((r) => [
    kib(r.bytes),
    r.syncCallsPerSecond.toFixed(0),
    r.asyncCallsPerSecond.toFixed(0),
    `${(r.asyncCallsPerSecond / r.syncCallsPerSecond).toFixed(2)}x`,
    (r.syncPingP99 / 1000).toFixed(2),
    (r.asyncPingP99 / 1000).toFixed(2),
    `${(r.syncPingP99 / r.asyncPingP99).toFixed(2)}x`,
  ]);
  return formatGrid(
    ['reply (JSON)', 'calls/s sync', 'calls/s async', 'async vs sync', 'small p99 ms sync', 'small p99 ms async', 'p99 sync / async'],
    body,
    o,
  );
}
