import { createClient } from '@tsmicro/client';
import { tcpTransport } from '@tsmicro/transport';
import { formatGrid } from '../grid.js';
import { createHistogram, type LatencySummary } from '../histogram.js';
import { entryOf, spawnServer } from '../resilience/index.js';

/** Options of {@link benchBigVsSmall}. */
export interface BigVsSmallOptions {
  /** Measured time of each phase, ms. Default 5000. */
  measureMs?: number;
  /** Warm-up before each phase, ms. Default 1000. */
  warmupMs?: number;
  /** Size of the large message, bytes. Default 4 000 000 (under the default 4 MiB limit). */
  bigBytes?: number;
  progress?: (line: string) => void;
}

/** Small-call latency on one connection, idle and while a large message is in flight on it. */
export interface BigVsSmallResult {
  idle: LatencySummary;
  loaded: LatencySummary;
  /** Large messages completed per second during the loaded phase. */
  bigPerSecond: number;
  bigBytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One server process, one client connection (poolSize 1). Phase 1: small calls one after another on
 * the idle connection. Phase 2: the same while the client keeps one large upload (raw bytes) in
 * flight all the time; a small call counts only when a large message was in flight for all of it.
 * @example const r = await benchBigVsSmall({ measureMs: 3000 })
 */
export async function benchBigVsSmall(o: BigVsSmallOptions = {}): Promise<BigVsSmallResult> {
  const measureMs = o.measureMs ?? 5000;
  const warmupMs = o.warmupMs ?? 1000;
  const bigBytes = o.bigBytes ?? 4_000_000;
  const node = await spawnServer(entryOf('../wire/server', import.meta.url), [], 'wire');
  const client = createClient({ transport: tcpTransport(), poolSize: 1 });
  const opts = { address: node.address, timeout: 30_000 };
  try {
    const small = () => client.call('wire', 'Wire.ping', {}, opts);
    const measure = async (ms: number, counts: () => boolean) => {
      const h = createHistogram();
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const ok = counts();
        const t0 = process.hrtime.bigint();
        await small();
        const ns = Number(process.hrtime.bigint() - t0);
        if (ok && counts()) h.record(ns);
        // A small call every millisecond or so, not a flood: the question is the latency one call sees.
        await sleep(1);
      }
      return h.summary();
    };
    o.progress?.('big-vs-small: small calls on an idle connection');
    await measure(warmupMs, () => false);
    const idle = await measure(measureMs, () => true);

    o.progress?.(`big-vs-small: small calls while a ${(bigBytes / 1e6).toFixed(0)} MB message is in flight`);
    // Raw bytes: a 4 MB JSON string would measure JSON.stringify/parse blocking each event loop, not the wire.
    const data = new Uint8Array(bigBytes).fill(0x78);
    const blobOpts = { ...opts, contentType: 'application/octet-stream' };
    let stop = false;
    let inFlight = false;
    let done = 0;
    let countFrom = Number.POSITIVE_INFINITY;
    const uploads = (async () => {
      while (!stop) {
        inFlight = true;
        await client.call('wire', 'Wire.blob', data, blobOpts);
        inFlight = false;
        if (Date.now() >= countFrom) done++;
      }
    })();
    await measure(warmupMs, () => false);
    countFrom = Date.now();
    const loaded = await measure(measureMs, () => inFlight);
    const elapsed = (Date.now() - countFrom) / 1000;
    stop = true;
    await uploads;
    return { idle, loaded, bigPerSecond: done / elapsed, bigBytes };
  } finally {
    await client.close();
    await node.stop();
  }
}

/** The result as a table: one row per phase. */
export function formatBigVsSmall(r: BigVsSmallResult, o: { markdown?: boolean } = {}): string {
  const ms = (us: number) => (us / 1000).toFixed(2);
  const row = (label: string, s: LatencySummary, extra: string) => [label, String(s.count), ms(s.p50), ms(s.p99), ms(s.max), extra];
  const mb = (r.bigBytes / 1e6).toFixed(0);
  return formatGrid(
    ['small call (Wire.ping), same connection', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'note'],
    [
      row('idle connection', r.idle, '-'),
      row(`while a ${mb} MB message is in flight`, r.loaded, `${r.bigPerSecond.toFixed(1)} × ${mb} MB uploads/s meanwhile`),
    ],
    o,
  );
}
