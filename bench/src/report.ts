import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { mb } from './execute.js';
import type { RowResult } from './rows.js';

/** What the numbers were measured on. */
export interface MachineInfo {
  date: string;
  cores: number;
  cpu: string;
  node: string;
  os: string;
  memoryGiB: number;
  /** 1-minute load average when the run started: above the core count, other work skewed the figures. */
  load: number;
  /** 1-minute load average when the run ended, when known. */
  loadEnd?: number;
}

/** Cores, CPU model, memory, OS, Node version and load of this machine, now. */
export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    date: new Date().toISOString(),
    cores: c.length,
    cpu: c[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${platform()} ${release()}`,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    load: loadavg()[0] ?? 0,
  };
}

const HEAD = ['Workload', 'Stack', 'Rate', 'p50 µs', 'p99 µs', 'RSS srv/cli MB', 'CPU srv/cli %', 'vs ceiling', 'Note'];

const num = (n: number | undefined, digits = 0) =>
  n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function cells(r: RowResult): string[] {
  const rate = r.rate === undefined ? '-' : `${num(r.rate)} ${r.unit}`;
  const rss =
    r.rssServer === undefined && r.rssClient === undefined
      ? '-'
      : `${r.rssServer === undefined ? '-' : mb(r.rssServer)}/${r.rssClient === undefined ? '-' : mb(r.rssClient)}`;
  const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`;
  const pct = (share: number | undefined) => (share === undefined ? '-' : (share * 100).toFixed(0));
  const cpu = r.cpuServer === undefined && r.cpuClient === undefined ? '-' : `${pct(r.cpuServer)}/${pct(r.cpuClient)}`;
  return [r.row.label, r.row.impl, rate, num(r.p50, 1), num(r.p99, 1), rss, cpu, ratio, r.note];
}

/** A plain-text table for the terminal. */
export function formatTable(results: readonly RowResult[]): string {
  const rows = [HEAD, ...results.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 2 || i === 3 || i === 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...results.map((r) => line(cells(r)))].join('\n');
}

/** RESULTS.md: machine, settings, then the table in Markdown. */
export function formatMarkdown(results: readonly RowResult[], m: MachineInfo, settings: string): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  const busy = Math.max(m.load, m.loadEnd ?? 0) > m.cores / 2 ? ' — the machine was busy, figures are noisy' : '';
  const end = m.loadEnd === undefined ? '' : `, ${m.loadEnd.toFixed(2)} at the end`;
  return [
    '# tsmicro benchmark results',
    '',
    `- Date: ${m.date}`,
    `- Machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB RAM, ${m.os}`,
    `- Node: ${m.node}`,
    `- Load average (1 min): ${m.load.toFixed(2)} at start${end}, on ${m.cores} cores${busy}`,
    `- Settings: ${settings}`,
    '',
    'Written by `pnpm bench`; see README.md for what each row means and the targets.',
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i >= 2 && i <= 4 ? '---:' : '---')).join('|')}|`,
    ...results.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
    '',
  ].join('\n');
}
