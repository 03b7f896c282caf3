import { createClient } from '@tsmicro/client';
import { silentLogger } from '@tsmicro/core';
import { createSelector, leastLoaded, roundRobin } from '@tsmicro/selector';
import { tcpTransport } from '@tsmicro/transport';
import { createHistogram } from '../../histogram.js';
import { openRegistry, tell } from './discovery.js';
import { errorKind, observeSelector } from './observe.js';
import { type FromClient, type LoadSpec, leftoverResources, sampleResources, type ToChild } from './protocol.js';
import { type Counters, type OnceCounters, runWorkers } from './workers.js';

/**
 * The load generator process: finds `chaos` through the registry, keeps `concurrency` calls in
 * flight for `durationMs` (unary `Chaos.echo`, marked idempotent and retried on other nodes, plus
 * streams), and reports what the caller saw and which node each attempt went to. Then it closes
 * everything and lets the event loop run dry.
 */

const say = (m: FromClient) => tell(m);
const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const registry = await openRegistry(spec.discovery);
const strategies = { roundRobin, leastLoaded } as const;
/** A real selector with the spec's strategy, or with none given (its default). */
const selectorOf = () => createSelector(spec.strategy === 'default' ? { registry } : { registry, strategy: strategies[spec.strategy] });
const { selector, seen } = observeSelector(selectorOf());
const client = createClient({
  transport: tcpTransport(),
  registry,
  selector,
  logger: silentLogger(),
  idempotent: ['Chaos.echo', 'Chaos.count', 'Chaos.chat'],
  retries: spec.retries,
  timeout: 5000,
});
// `Chaos.once` is not idempotent; its own client and observed selector count its attempts per node.
const onceObserved = observeSelector(selectorOf());
const onceClient = createClient({
  transport: tcpTransport(),
  registry,
  selector: onceObserved.selector,
  logger: silentLogger(),
  retries: spec.retries,
  timeout: 5000,
});

const stopAc = new AbortController();
let inflightAtMark = 0;
process.on('message', (raw) => {
  const m = raw as ToChild;
  if (m.type === 'nodes') void say({ type: 'nodes', recent: seen.recent(m.withinMs) });
  else if (m.type === 'stop') stopAc.abort();
  else if (m.type === 'mark') {
    inflightAtMark = onceObserved.seen.inflight(m.address);
    // No call can start or end between the count and the signal: both happen in this one turn.
    if (m.signal) process.kill(m.signal.pid, m.signal.name);
    void say({ type: 'marked', at: Date.now(), inflight: inflightAtMark });
  }
});
process.on('disconnect', () => stopAc.abort());

/** Waits (bounded) until discovery shows the expected nodes, so the load starts on a full cluster. */
async function awaitNodes(): Promise<string[]> {
  const until = Date.now() + 20_000;
  let found: string[] = [];
  while (Date.now() < until && !stopAc.signal.aborted) {
    const records = await registry.getService('chaos').catch(() => []);
    found = records.flatMap((r) => r.nodes.map((n) => n.address));
    if (found.length >= spec.expectNodes) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`saw ${found.length} of ${spec.expectNodes} chaos nodes within 20 s`);
}

async function main(): Promise<void> {
  const nodes = await awaitNodes();
  await say({ type: 'ready', nodes });
  const startedAt = Date.now();
  await say({ type: 'started', at: startedAt });
  const hist = createHistogram();
  const failures = new Map<string, number>();
  const counters: Counters = { attempted: 0, succeeded: 0, failed: 0, streams: 0 };
  const once: OnceCounters = { attempted: 0, succeeded: 0, failed: 0 };
  const onceFailures = new Map<string, number>();
  const timeline: number[] = [];
  const sampler =
    spec.sampleEveryMs > 0
      ? setInterval(() => void say({ type: 'sample', sample: sampleResources(Date.now() - startedAt) }), spec.sampleEveryMs)
      : undefined;
  await runWorkers(client, spec, {
    counters,
    once,
    onceClient,
    done(at) {
      const i = Math.floor((at - startedAt) / 100);
      while (timeline.length <= i) timeline.push(0);
      timeline[i] = (timeline[i] ?? 0) + 1;
    },
    failOnce(e) {
      const k = errorKind(e);
      onceFailures.set(k, (onceFailures.get(k) ?? 0) + 1);
    },
    signal: stopAc.signal,
    record(startMs, ms) {
      if (startMs - startedAt >= spec.warmupMs) hist.record(ms * 1e6);
    },
    fail(e) {
      const k = errorKind(e);
      failures.set(k, (failures.get(k) ?? 0) + 1);
    },
  });
  clearInterval(sampler);
  const endedAt = Date.now();
  const s = hist.summary();
  await say({
    type: 'result',
    report: {
      ...counters,
      failures: Object.fromEntries(failures),
      attemptErrors: Object.fromEntries(seen.attemptErrors),
      nodes: Object.fromEntries(seen.nodes),
      latency: { count: s.count, p50: s.p50 / 1000, p99: s.p99 / 1000, max: s.max / 1000 },
      startedAt,
      endedAt,
      timeline,
      once: { ...once, failures: Object.fromEntries(onceFailures), inflightAtMark },
    },
  });
}

try {
  await main();
} catch (e) {
  await say({ type: 'error', message: e instanceof Error ? e.message : String(e) });
}
await client.close();
await onceClient.close();
await selector.close();
await onceObserved.selector.close();
await registry.close();
await say({ type: 'stopped', leftover: leftoverResources() });
if (process.connected) process.disconnect();
