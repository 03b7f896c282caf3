import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.js';
import { formatDiscovery, runDiscoveryBench } from './discovery/index.js';
import { runRow } from './execute.js';
import { createProcessGroup } from './procs.js';
import { formatMarkdown, formatTable, machineInfo } from './report.js';
import { benchSkewedNodes, formatSkewedNodes } from './resilience/index.js';
import { medianOfRounds, pairedRatio } from './rounds.js';
import { ceilingOf, planRows, type Row, type RowResult } from './rows.js';

/**
 * `pnpm bench [W1 W2 W3 W4 DISCOVERY SKEW] [--quick] [--soak]` — runs the selected workloads (all but
 * the soak by default), prints tables and writes bench/RESULTS.md. Env `BENCH_SECONDS` sets the
 * measured window (default 5, `--quick` 1). DISCOVERY: registry watch latency, cache lookups and
 * selector overhead; SKEW: leastLoaded versus roundRobin with one node 10x slower.
 */

/** Suites with their own tables, beside the W rows. */
const EXTRAS = ['DISCOVERY', 'SKEW'] as const;
type Extra = (typeof EXTRAS)[number];
const isExtra = (a: string): a is Extra => (EXTRAS as readonly string[]).includes(a.toUpperCase());

const out = (s: string) => process.stdout.write(`${s}\n`);

/** One round's ratio for the note, `-` when either rate is missing. */
function ratioText(r: RowResult, ceiling: RowResult | undefined): string {
  return r.rate !== undefined && ceiling?.rate ? (r.rate / ceiling.rate).toFixed(2) : '-';
}

/**
 * Interleaved rounds of the W3 rows and of the OBS rows in a full run. OBS takes five: single rounds
 * of its W1 rows swung ±15 % on this machine, and its target is a ratio a few points wide.
 */
const ROUNDS = { W3: 3, OBS: 5, GRPC: 5 } as const;

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
    // W3 rows, and the OBS rows, run in interleaved rounds (see medianOfRounds); --quick keeps one.
    const roundsOf = (set: keyof typeof ROUNDS) => (settings.measureMs < 5000 ? 1 : ROUNDS[set]);
    const groupOf = (r: Row) => (r.kind === 'pubsub' ? 'W3' : r.id === 'OBS' ? 'OBS' : r.label.startsWith('gRPC') ? 'GRPC' : undefined);
    const medians = new Map<Row, RowResult>();
    const measured = new Set<string>();
    for (const row of plan) {
      const set = groupOf(row);
      if (set !== undefined && !measured.has(set)) {
        measured.add(set);
        const rows = plan.filter((r) => groupOf(r) === set);
        const rounds = roundsOf(set);
        const done = await medianOfRounds(rows, rounds, (r, k) => {
          out(`… ${r.label} / ${r.impl}${rounds > 1 ? ` (round ${k + 1}/${rounds})` : ''}`);
          return runRow(group, r, settings);
        });
        for (const [r, v] of done) medians.set(r, v);
      }
      if (set === undefined) out(`… ${row.label} / ${row.impl}`);
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
  } finally {
    group.killAll();
  }
  const sections: string[] = [];
  if (extras.has('DISCOVERY')) {
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
