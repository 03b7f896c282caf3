import { setTimeout as sleep } from 'node:timers/promises';
import { coreShare } from './load.js';
import type { Child, ProcessGroup } from './procs.js';
import type { Row, RowResult } from './rows.js';
import { slopePer10s } from './slope.js';

/** How long each row runs. Every wait below is bounded by these plus a fixed slack. */
export interface Settings {
  /** Milliseconds of unmeasured warm-up per row. */
  warmupMs: number;
  /** Milliseconds of measured window per echo row. */
  measureMs: number;
  /** Messages per W4 stream. */
  streamCount: number;
  /** Messages published in W3. */
  pubsubCount: number;
  /** Milliseconds W3 may publish for before it stops short of `pubsubCount`. */
  pubsubLimitMs: number;
  /** Milliseconds of measured window of the soak row. */
  soakMs: number;
  /**
   * Milliseconds the soak runs before its baseline sample. Longer than `warmupMs`: V8 grows its young
   * generation to the allocation rate over the first seconds (measured: server RSS +20 % in the first
   * 5 s, then flat), which is heap sizing, not the growth a soak looks for.
   */
  soakWarmupMs: number;
}

/** Startup, shutdown and reporting of a child get this long on top of the measured time. */
const SLACK_MS = 20_000;
const READY_MS = 15_000;
/** Ms between RSS samples in the soak window; its growth is the least-squares slope over them (see slopePer10s). */
const SOAK_EVERY_MS = 5000;

async function stopServer(server: Child): Promise<number | undefined> {
  server.send({ type: 'stop' });
  const m = await server.next('stopped', 5000).catch(() => undefined);
  return m?.rss;
}

async function runEcho(g: ProcessGroup, row: Extract<Row, { kind: 'echo' | 'soak' }>, s: Settings): Promise<RowResult> {
  const unit = row.id === 'W4' ? 'msgs/s' : 'calls/s';
  // Unique per row: mDNS is shared by everything on the machine, and the caller must see this server only.
  const service = `bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const server = g.spawn({ role: 'echo-server', impl: row.impl, service });
  const { address } = await server.next('ready', READY_MS);
  const soak = row.kind === 'soak';
  const measureMs = soak ? s.soakMs : s.measureMs;
  const warmupMs = soak ? s.soakWarmupMs : s.warmupMs;
  const workload = soak || row.id === 'OBS' ? 'W1' : row.id;
  const client = g.spawn({
    role: 'echo-client',
    impl: row.impl,
    address,
    service,
    workload,
    concurrency: row.concurrency,
    warmupMs,
    measureMs,
    streamCount: s.streamCount,
  });
  const rssNow = async () => {
    server.send({ type: 'rss' });
    return (await server.next('rss', 5000)).rss;
  };
  const cpuNow = async () => {
    server.send({ type: 'cpu' });
    return server.next('cpu', 5000);
  };
  // The server's CPU time over the client's window: marked when the client says the window opened. A
  // client that fails first sends its error here instead; it is thrown below, where 'result' is awaited.
  const serverCpu = client
    .next('window', warmupMs + READY_MS)
    .then(cpuNow)
    .then(
      (cpu) => ({ cpu }),
      (error: unknown) => ({ error }),
    );
  const samples: number[] = [];
  let cold: number | undefined;
  if (soak) {
    // One sample after the usual warm-up (what the heap sizing adds), then from the end of the soak's
    // own warm-up on, so growth means the measured window; several samples tell a plateau from a climb.
    await sleep(s.warmupMs);
    cold = await rssNow();
    await sleep(warmupMs - s.warmupMs + 200);
    const count = Math.max(2, Math.floor(measureMs / SOAK_EVERY_MS) + 1);
    for (let i = 0; i < count; i++) {
      samples.push(await rssNow());
      if (i < count - 1) await sleep(measureMs / (count - 1));
    }
  }
  const { load, rss } = await client.next('result', s.warmupMs + measureMs + SLACK_MS).catch(async (e: unknown) => {
    const marked = await serverCpu;
    throw 'error' in marked ? marked.error : e;
  });
  const marked = await serverCpu;
  const from = 'cpu' in marked ? marked.cpu : undefined;
  const to = from && (await cpuNow().catch(() => undefined));
  const rssServer = await stopServer(server);
  const result: RowResult = {
    row,
    rate: load.ops / load.seconds,
    unit,
    rssClient: rss,
    note: load.errors > 0 ? `${load.errors} errors` : '',
    cpuClient: load.cpu,
  };
  if (from && to && to.at > from.at) result.cpuServer = coreShare(to.us - from.us, to.at - from.at);
  if (rssServer !== undefined) result.rssServer = rssServer;
  if (row.id !== 'W4') {
    result.p50 = load.latency.p50;
    result.p99 = load.latency.p99;
  }
  const rssStart = samples[0];
  if (rssStart !== undefined && rssServer !== undefined && cold !== undefined) {
    const pct = (from: number) => {
      const g = ((rssServer - from) / from) * 100;
      return `${g >= 0 ? '+' : ''}${g.toFixed(1)} %`;
    };
    const slope = slopePer10s(samples, measureMs / (samples.length - 1));
    const fit = `slope ${slope >= 0 ? '+' : ''}${slope.toFixed(2)} %/10 s over the last ${measureMs / 1000} s (${samples.length} samples)`;
    const window = `${[...samples, rssServer].map(mb).join(' → ')} (${pct(rssStart)} over ${measureMs / 1000} s)`;
    result.note = `${fit}; server RSS MB ${window}; ${mb(cold)} at ${s.warmupMs / 1000} s (${pct(cold)} since)`;
  }
  return result;
}

async function runPubSub(g: ProcessGroup, row: Extract<Row, { kind: 'pubsub' }>, s: Settings): Promise<RowResult> {
  const topic = `bench.w3.${row.impl}.${process.pid}.${Date.now()}`;
  const common = { impl: row.impl, topic, count: s.pubsubCount, limitMs: s.pubsubLimitMs };
  const sub = g.spawn({ role: 'sub', ...common, limitMs: s.warmupMs + s.pubsubLimitMs + SLACK_MS / 2 });
  const { address, seed } = await sub.next('ready', READY_MS);
  const pub = g.spawn({ role: 'pub', ...common, warmupMs: s.warmupMs, subAddress: address, subSeed: seed ?? null });
  const p = await pub.next('published', s.warmupMs + s.pubsubLimitMs + SLACK_MS);
  sub.send({ type: 'finish', published: p.published });
  const r = await sub.next('received', SLACK_MS);
  const seconds = (r.lastAt - p.startAt) / 1000;
  const lost = p.published - r.received;
  const short = p.published < s.pubsubCount ? `, stopped at ${p.published}/${s.pubsubCount} by the ${s.pubsubLimitMs / 1000} s limit` : '';
  const failed = p.failed > 0 ? `, ${p.failed} publishes failed` : '';
  const pending = p.unconfirmed > 0 ? `, ${p.unconfirmed} publishes never confirmed` : '';
  return {
    row,
    rate: seconds > 0 ? r.received / seconds : 0,
    unit: 'msgs/s',
    rssServer: r.rss,
    rssClient: p.rss,
    note: `lost ${lost}${short}${failed}${pending}`,
  };
}

/** Runs one row in fresh child processes; a failure becomes the row's note instead of ending the run. */
export async function runRow(g: ProcessGroup, row: Row, s: Settings): Promise<RowResult> {
  try {
    return row.kind === 'pubsub' ? await runPubSub(g, row, s) : await runEcho(g, row, s);
  } catch (e) {
    return { row, unit: row.kind === 'pubsub' || row.id === 'W4' ? 'msgs/s' : 'calls/s', note: (e as Error).message };
  } finally {
    g.killAll();
  }
}

/** Bytes as whole MiB, for table cells. */
export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
