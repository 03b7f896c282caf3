import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { discoverScenarios } from './chaos/discover.js';
import { killEverything, runScenario } from './chaos/runner.js';
import type { ScenarioResult } from './chaos/scenario.js';
import { formatMarkdown, formatTable, writeResults } from './chaos/table.js';
import { machineInfo } from './report.js';

/**
 * `pnpm chaos [names…] [--quick] [--verbose] [--write-docs]`: runs the chaos scenarios found in
 * `chaos/scenarios/` one after another, prints their figures, writes the report to
 * `.ci/out/chaos-results.md` (git-ignored: a run never changes a tracked file) and exits 1 if any
 * scenario missed its target. `--write-docs` also puts the table into docs/reliability.md, on purpose.
 */

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const verbose = args.includes('--verbose');
const names = args.filter((a) => !a.startsWith('--'));
const writeDocs = args.includes('--write-docs');
const log = (line: string) => process.stderr.write(`${line}\n`);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killEverything();
    process.exit(130);
  });
}
process.once('exit', killEverything);

const machine = machineInfo();
const { scenarios, broken } = await discoverScenarios(names);
const budget = scenarios.reduce((n, s) => n + s.budgetSeconds, 0);
log(`chaos: ${scenarios.map((s) => s.name).join(', ') || 'no scenarios'}${quick ? ' (quick)' : ''}; budget ${budget} s in all`);

const results: ScenarioResult[] = broken.map((b) => ({
  name: b.file,
  pass: false,
  target: '-',
  figures: {},
  notes: `could not load: ${b.error}`,
}));
for (const s of scenarios) {
  log(`chaos: ${s.name} (at most ${s.budgetSeconds} s)`);
  const r = await runScenario(s, { quick, log, verbose });
  log(`chaos: ${s.name} ${r.pass ? 'PASS' : 'FAIL'} in ${r.figures.seconds} s`);
  results.push(r);
}

process.stdout.write(`\n${formatTable(results)}\n`);
const settings = `${quick ? '--quick' : 'full'} run of ${results.map((r) => r.name).join(', ')}`;
const report = formatMarkdown(results, machine, settings);
const out = new URL('../../.ci/out/', import.meta.url);
await mkdir(out, { recursive: true });
const file = fileURLToPath(new URL('chaos-results.md', out));
await writeResults(file, report);
log(`chaos: report written to ${file}${writeDocs ? '' : ' (--write-docs puts it into docs/reliability.md)'}`);
if (writeDocs) {
  const doc = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url));
  await writeResults(doc, report);
  log(`chaos: results written to ${doc}`);
}
const failed = results.filter((r) => !r.pass).length;
if (names.length > 0 && scenarios.length === 0) log(`chaos: no scenario matches ${names.join(', ')}`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
