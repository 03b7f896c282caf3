import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.js';
import { formatDiscovery, runDiscoveryBench } from './discovery/index.js';
import { runRow } from './execute.js';
import { formatGateway, runGatewayBench } from './gateway/index.js';
import { createProcessGroup } from './procs.js';
import { formatMarkdown, formatTable, machineInfo } from './report.js';
import { benchSkewedNodes, formatSkewedNodes } from './resilience/index.js';
import { medianOfRounds, pairedRatio } from './rounds.js';
import { ceilingOf, peerOf, planRows, type Row, type RowResult } from './rows.js';
import { ensureService } from './services.js';
import { benchBigVsSmall, formatBigVsSmall } from './wire/big-small.js';
import { benchCompression, formatCompression, medianOfCompressionRounds } from './wire/compression.js';
import { findNode22 } from './wire/node22.js';
import { benchAsyncZlib, formatAsyncZlib } from './wire/zasync.js';

/**
 * `pnpm bench [W1 W2 W3 W4 DISCOVERY SKEW] [--quick] [--soak]` — runs the selected workloads (all but
 * the soak by default), prints tables and writes bench/RESULTS.md. Env `BENCH_SECONDS` sets the
 * measured window (default 5, `--quick` 1). DISCOVERY: registry watch latency, cache lookups and
 * selector overhead; SKEW: leastLoaded versus roundRobin with one node 10x slower; BIG: latency of a
 * small call while a 4 MB message is in flight on the same connection; ZIP: 64 KiB JSON responses at
 * c=16 with compression off, gzip, brotli (zstd), on loopback and on loopback shaped to 100 Mbit/s
 * (a network namespace made for the run; needs root); GW: W1 over HTTP through the gateway versus
 * bare hono and fastify echoes (autocannon, c=64).
 */

/** Suites with their own tables, beside the W rows. */
const EXTRAS = ['DISCOVERY', 'SKEW', 'BIG', 'ZIP', 'GW'] as const;
type Extra = (typeof EXTRAS)[number];
const isExtra = (a: string): a is Extra => (EXTRAS as readonly string[]).includes(a.toUpperCase());

const out = (s: string) => process.stdout.write(`${s}\n`);

/** One round's ratio for the note, `-` when either rate is missing. */
function ratioText(r: RowResult, ceiling: RowResult | undefined): string {
  return r.rate !== undefined && ceiling?.rate ? (r.rate / ceiling.rate).toFixed(2) : '-';
}

/**
 * Interleaved rounds in a full run: the W3 rows, the OBS rows, the soak, and each W1/W2 concurrency's
 * rows. OBS takes five: single rounds of its W1 rows swung ±15 % on this machine, and its target is a
 * ratio a few points wide. The soak runs three times: its target is "flat in three runs of three".
 */
const ROUNDS = { W3: 3, OBS: 5, SOAK: 3, ECHO: 3, GRPC: 5 } as const;
type RoundSet = keyof typeof ROUNDS;

/** The rows that run interleaved with `row`, named by their set (W1/W2: one set per label), or undefined. */
function groupOf(r: Row): { set: RoundSet; key: string } | undefined {
  if (r.kind === 'pubsub') return { set: 'W3', key: 'W3' };
  if (r.kind === 'soak') return { set: 'SOAK', key: 'SOAK' };
  if (r.id === 'OBS') return { set: 'OBS', key: 'OBS' };
  if (r.label.startsWith('gRPC')) return { set: 'GRPC', key: r.label };
  if (r.id === 'W1' || r.id === 'W2') return { set: 'ECHO', key: r.label };
  return undefined;
}

/** The by-name row's paired ratio to the same caller by address, added to its note. */
function notePeer(r: RowResult, done: readonly RowResult[]): void {
  const peer = peerOf(r.row, done);
  if (!peer?.rate || r.rate === undefined) return;
  const paired = r.rounds && peer.rounds ? pairedRatio(r.rounds, peer.rounds) : r.rate / peer.rate;
  if (paired !== undefined) r.note = `${r.note ? `${r.note}; ` : ''}vs service-address ${paired.toFixed(2)}×`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const named = argv.filter((a) => !a.startsWith('--'));
  const extras = new Set(named.length === 0 ? EXTRAS : named.filter(isExtra).map((a) => a.toUpperCase() as Extra));
  const onlyExtras = named.length > 0 && named.every(isExtra);
  const { selected, settings, write } = parseArgs(
    argv.filter((a) => !isExtra(a)),
    process.env.BENCH_SECONDS,
  );
  if (onlyExtras) selected.clear();
  const group = createProcessGroup();
  // Ctrl-C or a kill must not leave servers or clients behind.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      group.killAll();
      process.exit(130);
    });
  }
  const m = machineInfo();
  const describe = `warm-up ${settings.warmupMs} ms, window ${settings.measureMs} ms, W3 ${settings.pubsubCount} msgs or ${settings.pubsubLimitMs} ms`;
  out(`tsmicro bench — ${m.cores} cores, ${m.cpu}, Node ${m.node}, load ${m.load.toFixed(2)}; ${describe}\n`);
  const results: RowResult[] = [];
  try {
    const plan = planRows(selected);
    // Grouped rows run in interleaved rounds (see medianOfRounds); --quick keeps one.
    const roundsOf = (set: RoundSet) => (settings.measureMs < 5000 ? 1 : ROUNDS[set]);
    const medians = new Map<Row, RowResult>();
    const measured = new Set<string>();
    for (const row of plan) {
      const batch = groupOf(row);
      if (batch !== undefined && !measured.has(batch.key)) {
        measured.add(batch.key);
        const rows = plan.filter((r) => groupOf(r)?.key === batch.key);
        const rounds = roundsOf(batch.set);
        const done = await medianOfRounds(rows, rounds, (r, k) => {
          out(`… ${r.label} / ${r.impl}${rounds > 1 ? ` (round ${k + 1}/${rounds})` : ''}`);
          return runRow(group, r, settings);
        });
        for (const [r, v] of done) medians.set(r, v);
      }
      if (batch === undefined) out(`… ${row.label} / ${row.impl}`);
      const r = medians.get(row) ?? (await runRow(group, row, settings));
      const ceiling = ceilingOf(row, results);
      if (ceiling?.rate && r.rate !== undefined) r.ratio = r.rate / ceiling.rate;
      if (ceiling?.rounds && r.rounds) {
        const paired = pairedRatio(r.rounds, ceiling.rounds);
        if (paired !== undefined) r.ratio = paired;
        r.note = `${r.note}; ratio: median of each round's (${r.rounds.map((x, k) => ratioText(x, ceiling.rounds?.[k])).join(' / ')})`;
      }
      results.push(r);
    }
    for (const r of results) notePeer(r, results);
  } finally {
    group.killAll();
  }
  const sections: string[] = [];
  if (extras.has('DISCOVERY')) {
    ensureService('etcd', out);
    out('… discovery: watch latency, cache lookups, selector overhead');
    const d = await runDiscoveryBench({ quick: settings.measureMs < 5000 });
    out(`\n${formatDiscovery(d)}`);
    sections.push(`## Discovery\n\n${formatDiscovery(d, { markdown: true })}`);
  }
  if (extras.has('SKEW')) {
    const rows = await benchSkewedNodes({ measureMs: settings.measureMs, warmupMs: settings.warmupMs, progress: (p) => out(`… ${p}`) });
    out(`\n${formatSkewedNodes(rows)}`);
    sections.push(`## One node 10x slower (W1 c=64, 3 server processes)\n\n${formatSkewedNodes(rows, { markdown: true })}`);
  }
  if (extras.has('BIG')) {
    const r = await benchBigVsSmall({ measureMs: settings.measureMs, warmupMs: settings.warmupMs, progress: (p) => out(`… ${p}`) });
    out(`\n${formatBigVsSmall(r)}`);
    sections.push(`## A small call while a 4 MB message is in flight (one connection)\n\n${formatBigVsSmall(r, { markdown: true })}`);
  }
  if (extras.has('ZIP')) {
    const rounds = settings.measureMs < 5000 ? 1 : 3;
    const node22 = findNode22() ?? ensureService('node22', out);
    if (!node22) out('compression: no Node 22 (scripts/services/node22.sh), so no zstd rows');
    for (const [title, rate, node] of [
      ['loopback', undefined, undefined],
      ['loopback shaped to 100 Mbit/s (tbf)', '100mbit', undefined],
      ...(node22 ? ([['loopback shaped to 100 Mbit/s (tbf), on Node 22 (zstd)', '100mbit', node22]] as const) : []),
    ] as const) {
      try {
        const each = [];
        for (let r = 0; r < rounds; r++) {
          out(`… compression: ${title}, round ${r + 1}/${rounds}`);
          each.push(await benchCompression({ rate, node, measureMs: settings.measureMs, warmupMs: settings.warmupMs }));
        }
        const rows = medianOfCompressionRounds(each);
        out(`\n${formatCompression(rows)}`);
        sections.push(
          `## Compression: 64 KiB JSON responses at c=16, ${title}, median of ${rounds} rounds\n\n${formatCompression(rows, { markdown: true })}`,
        );
      } catch (e) {
        out(`compression (${title}) not measured: ${(e as Error).message}`);
      }
    }
    const zlibRows = await benchAsyncZlib({
      rounds,
      measureMs: Math.min(settings.measureMs, 3000),
      warmupMs: settings.warmupMs,
      progress: (p) => out(`… ${p}`),
    });
    out(`\n${formatAsyncZlib(zlibRows)}`);
    sections.push(
      `## When zlib's thread pool pays: gzip replies at c=8, in the event loop's turn (sync) or on the pool (async), with a small call one at a time beside them; median of ${rounds} paired rounds\n\n${formatAsyncZlib(zlibRows, { markdown: true })}`,
    );
  }
  if (extras.has('GW')) {
    const rounds = settings.measureMs < 5000 ? 1 : 3;
    const rows = await runGatewayBench({
      warmupMs: settings.warmupMs,
      measureMs: settings.measureMs,
      rounds,
      progress: (p) => out(`… ${p}`),
    });
    out(`\n${formatGateway(rows)}`);
    sections.push(
      `## HTTP gateway (W1 c=64 over HTTP, autocannon, ${rounds} interleaved rounds)\n\n${formatGateway(rows, { markdown: true })}`,
    );
  }
  m.loadEnd = loadavg()[0] ?? 0;
  if (results.length > 0) out(`\n${formatTable(results)}\n`);
  if (write) {
    const path = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
    writeFileSync(path, [formatMarkdown(results, m, describe), ...sections].join('\n\n'));
    out(`written ${path}`);
  }
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
