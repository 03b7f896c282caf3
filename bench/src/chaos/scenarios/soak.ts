import {
  exposeGc,
  kinds,
  loadSpec,
  pause,
  privateMdns,
  type ServerProc,
  serverSpec,
  startLoad,
  startServer,
  terminate,
} from '../cluster.js';
import type { ResourceSample } from '../nodes/protocol.js';
import type { ChaosScenario } from '../scenario.js';

const GROWTH_LIMIT = 0.1;
const SAMPLE_MS = 1000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

/** Growth from the first samples after warm-up to the last ones; medians of 3 damp GC sawtooth and in-flight churn. */
function growth(samples: ResourceSample[], warmupMs: number, pick: (s: ResourceSample) => number) {
  const after = samples.filter((s) => s.t >= warmupMs);
  const first = median(after.slice(0, 3).map(pick));
  const mid = median(after.slice(Math.floor(after.length / 2) - 1, Math.floor(after.length / 2) + 2).map(pick));
  const last = median(after.slice(-3).map(pick));
  return { first, mid, last, growth: first === 0 ? 0 : (last - first) / first, lateGrowth: mid === 0 ? 0 : (last - mid) / mid };
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
const pct = (g: number) => Math.round(g * 1000) / 10;

/** Scenario 6: unary calls plus streams opening and closing at c=64; memory and handles stay flat, and everything exits by itself. */
export const scenario: ChaosScenario = {
  name: 'soak',
  budgetSeconds: 85,
  async run(ctx) {
    const durationMs = ctx.quick ? 15_000 : 60_000;
    const warmupMs = ctx.quick ? 5000 : 15_000;
    const discovery = privateMdns();
    const servers: ServerProc[] = await Promise.all(
      [0, 1, 2].map((i) => startServer(ctx, serverSpec(discovery), `server ${i}`, exposeGc())),
    );
    const load = await startLoad(ctx, loadSpec(discovery, { durationMs, streamWorkers: 16, sampleEveryMs: SAMPLE_MS }), exposeGc());
    // Servers are sampled by the parent on the client's clock (ms since the load started).
    const serverSamples = new Map<ServerProc, ResourceSample[]>(servers.map((s) => [s, []]));
    while (Date.now() - load.startedAt < durationMs && !ctx.signal.aborted) {
      await pause(SAMPLE_MS, ctx.signal);
      const t = Date.now() - load.startedAt;
      await Promise.all(
        servers.map(async (s) => {
          s.box.send({ type: 'sample' });
          const m = await s.box.next('sample', 3000).catch(() => undefined);
          if (m) serverSamples.get(s)?.push({ ...m.sample, t });
        }),
      );
    }
    const r = await load.result();
    const clientSamples = load.box.all('sample').map((m) => m.sample);
    const clientStop = await load.box.next('stopped', 10_000).catch(() => undefined);
    const clientExit = await load.box.exited(5000);
    const stops = await Promise.all(servers.map((s) => terminate(s, 10_000)));

    const worst = <T extends { growth: number }>(xs: T[]) => xs.reduce((a, b) => (b.growth > a.growth ? b : a));
    const ofServers = (pick: (x: ResourceSample) => number) => servers.map((s) => growth(serverSamples.get(s) ?? [], warmupMs, pick));
    const cRss = growth(clientSamples, warmupMs, (s) => s.rss);
    const cHeap = growth(clientSamples, warmupMs, (s) => s.heapUsed + s.external);
    const cHandles = growth(clientSamples, warmupMs, (s) => s.handles);
    const sRss = ofServers((x) => x.rss);
    const sRssW = worst(sRss);
    const sHeapW = worst(ofServers((x) => x.heapUsed + x.external));
    const sHeapTotalW = worst(ofServers((x) => x.heapTotal));
    const sHandlesW = worst(ofServers((x) => x.handles));
    const worstServer = servers[sRss.indexOf(sRssW)];
    const series = (xs: ResourceSample[]) =>
      xs
        .filter((_, i) => i % 5 === 4)
        .map((x) => mb(x.rss))
        .join(' ');
    const serversExited = stops.every((s) => s.ms !== undefined);
    const problems: string[] = [];
    if (clientSamples.length < 6) problems.push(`only ${clientSamples.length} client samples`);
    if (!clientExit)
      problems.push(`the client did not exit by itself within 5 s of stopping (open: ${clientStop?.leftover.join(',') ?? '?'})`);
    for (const [i, s] of stops.entries()) {
      if (s.ms === undefined) problems.push(`server ${i} did not exit by itself within 10 s (open: ${s.leftover.join(',')})`);
    }
    const flat = [cRss, cHandles, sRssW, sHandlesW].every((g) => g.growth < GROWTH_LIMIT);
    return {
      name: 'soak',
      pass: flat && r.failed === 0 && problems.length === 0 && r.succeeded > 0,
      target: `RSS and open handles grow < ${GROWTH_LIMIT * 100}% from warm-up (${warmupMs / 1000} s) to end, 0 failures, every process exits by itself after stop`,
      figures: {
        calls: r.succeeded,
        streams: r.streams,
        failed: r.failed,
        'client RSS MB first→mid→end': `${mb(cRss.first)}→${mb(cRss.mid)}→${mb(cRss.last)} (${pct(cRss.growth)}%)`,
        'client heap+buffers MB first→end': `${mb(cHeap.first)}→${mb(cHeap.last)} (${pct(cHeap.growth)}%)`,
        'server heap+buffers MB first→end (worst)': `${mb(sHeapW.first)}→${mb(sHeapW.last)} (${pct(sHeapW.growth)}%)`,
        'client handles first→end': `${cHandles.first}→${cHandles.last} (${pct(cHandles.growth)}%)`,
        'server RSS MB first→mid→end (worst)': `${mb(sRssW.first)}→${mb(sRssW.mid)}→${mb(sRssW.last)} (${pct(sRssW.growth)}%)`,
        'server V8 heap committed MB first→end (worst)': `${mb(sHeapTotalW.first)}→${mb(sHeapTotalW.last)}`,
        'server handles first→end (worst)': `${sHandlesW.first}→${sHandlesW.last} (${pct(sHandlesW.growth)}%)`,
        'client timers at end': clientSamples.at(-1)?.timers ?? 0,
        'slowest server exit after SIGTERM ms': serversExited ? Math.max(...stops.map((s) => s.ms ?? 0)) : 'killed',
      },
      notes: [
        `failures: ${kinds(r.failures)}`,
        `RSS MB every 5 s: client ${series(clientSamples)}; worst server ${series(worstServer ? (serverSamples.get(worstServer) ?? []) : [])}`,
        ...problems,
      ].join('; '),
    };
  },
};
