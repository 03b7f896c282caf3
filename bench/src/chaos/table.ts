import { readFile, writeFile } from 'node:fs/promises';
import type { MachineInfo } from '../report.js';
import type { ScenarioResult } from './scenario.js';

const fmt = (v: string | number) =>
  typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: v < 10 && !Number.isInteger(v) ? 2 : 0 }) : v;
const verdict = (r: ScenarioResult) => (r.pass ? 'PASS' : 'FAIL');

/** One line per figure, the scenario and verdict on its first line: readable in a terminal. */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows: string[][] = [['Scenario', 'Result', 'Figure', 'Value']];
  for (const r of results) {
    const figs = Object.entries(r.figures);
    if (figs.length === 0) rows.push([r.name, verdict(r), '-', '-']);
    for (const [i, [k, v]] of figs.entries()) rows.push([i === 0 ? r.name : '', i === 0 ? verdict(r) : '', k, fmt(v)]);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((c, i) => (i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  const out = [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('');
  for (const r of results) out.push(`${r.name} — target: ${r.target}${r.notes ? `\n  notes: ${r.notes}` : ''}`);
  return out.join('\n');
}

const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The Markdown block that goes between the markers in docs/reliability.md. */
export function formatMarkdown(results: readonly ScenarioResult[], m: MachineInfo, settings: string): string {
  const lines = [
    `- Date: ${m.date}`,
    `- Machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}`,
    `- Load average (1 min) at start: ${m.load.toFixed(2)}`,
    `- Settings: ${settings}`,
    '',
    '| Scenario | Result | Figures | Target |',
    '|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${esc(r.name)} | ${verdict(r)} | ${esc(
          Object.entries(r.figures)
            .map(([k, v]) => `${k}: ${fmt(v)}`)
            .join('<br>'),
        )} | ${esc(r.target)} |`,
    ),
    '',
    ...results.filter((r) => r.notes).map((r) => `- **${esc(r.name)}**: ${esc(r.notes ?? '')}`),
  ];
  return lines.join('\n');
}

export const START = '<!-- chaos-results:start -->';
export const END = '<!-- chaos-results:end -->';

/** Replaces the results block of `file` (between the markers; appended with a heading when missing). */
export async function writeResults(file: string, block: string): Promise<void> {
  let doc = await readFile(file, 'utf8').catch(() => '# Reliability\n');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  const fresh = `${START}\n${block}\n${END}`;
  if (a >= 0 && b > a) doc = doc.slice(0, a) + fresh + doc.slice(b + END.length);
  else doc = `${doc.trimEnd()}\n\n## Results\n\n${fresh}\n`;
  await writeFile(file, doc.endsWith('\n') ? doc : `${doc}\n`);
}
