import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { formatGrid } from '../grid.js';
import { entryOf } from '../resilience/index.js';

/** Options of {@link benchCompression}. */
export interface CompressionBenchOptions {
  /** Shape the namespace's loopback with `tc qdisc … tbf rate <rate>`; undefined: unshaped. */
  rate?: string | undefined;
  /** Default 16. */
  concurrency?: number;
  measureMs?: number;
  warmupMs?: number;
  /** The Node binary that runs client and server; its zlib decides whether zstd is measured. Default: this one. */
  node?: string | undefined;
}

/** One encoding's row. */
export interface CompressionRow {
  encoding: string;
  callsPerSecond: number;
  /** Bytes the loopback carried per call (both directions, TCP/IP headers included). */
  bytesPerCall: number;
  /** Microseconds. */
  p99: number;
  errors: number;
  /** Calls/s against the uncompressed row of the same round, one per round (set by {@link medianOfCompressionRounds}). */
  roundRatios?: number[];
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/**
 * `Wire.records` (500 records, about 64 KiB of JSON) at c=16 with compression off, gzip, brotli
 * (and zstd when the Node running it has it), client and server in a network namespace of their own, made for
 * the run and removed after it: its loopback carries only this traffic (exact bytes per call), and
 * with `rate` it is shaped by tbf like a slow link. Needs root (`ip netns`); throws a clear error without.
 * @example await benchCompression({ rate: '100mbit' })
 */
export async function benchCompression(o: CompressionBenchOptions = {}): Promise<CompressionRow[]> {
  const ns = `tsm-z-${randomBytes(3).toString('hex')}`;
  const spec = { concurrency: o.concurrency ?? 16, warmupMs: o.warmupMs ?? 1000, measureMs: o.measureMs ?? 5000 };
  try {
    ip('netns', 'add', ns);
  } catch (e) {
    throw new Error(`cannot create network namespace ${ns} (needs root and iproute2): ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
  try {
    // A 1500-byte MTU, as on a real link; tbf needs a burst of at least one packet.
    ip('-n', ns, 'link', 'set', 'lo', 'mtu', '1500');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    if (o.rate)
      execFileSync('ip', [
        'netns',
        'exec',
        ns,
        'tc',
        'qdisc',
        'add',
        'dev',
        'lo',
        'root',
        'tbf',
        'rate',
        o.rate,
        'burst',
        '64kb',
        'latency',
        '50ms',
      ]);
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          o.node ?? process.execPath,
          ...process.execArgv,
          entryOf('../wire/zrun', import.meta.url),
          JSON.stringify(spec),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
      });
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`compression bench run exited with ${code}`))));
    });
    return JSON.parse(out.trim().split('\n').pop() ?? '[]') as CompressionRow[];
  } finally {
    ip('netns', 'del', ns);
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * Several rounds of {@link benchCompression} as one table: each figure the median of the rounds, and
 * each encoding's calls/s against the uncompressed row of its own round (paired) kept per round.
 */
export function medianOfCompressionRounds(rounds: readonly (readonly CompressionRow[])[]): CompressionRow[] {
  const first = rounds[0] ?? [];
  return first.map(({ encoding }) => {
    const mine = rounds.map((rows) => rows.find((r) => r.encoding === encoding) as CompressionRow);
    const ratios = rounds.map(
      (rows, i) => (mine[i]?.callsPerSecond ?? 0) / (rows.find((r) => r.encoding === 'identity')?.callsPerSecond ?? 1),
    );
    return {
      encoding,
      callsPerSecond: median(mine.map((r) => r.callsPerSecond)),
      bytesPerCall: median(mine.map((r) => r.bytesPerCall)),
      p99: median(mine.map((r) => r.p99)),
      errors: mine.reduce((n, r) => n + r.errors, 0),
      roundRatios: ratios,
    };
  });
}

/** The rows as a table, each with its ratios to the uncompressed row. */
export function formatCompression(rows: readonly CompressionRow[], o: { markdown?: boolean } = {}): string {
  const base = rows.find((r) => r.encoding === 'identity');
  const paired = (r: CompressionRow) =>
    r.roundRatios ? median(r.roundRatios) : base ? r.callsPerSecond / base.callsPerSecond : Number.NaN;
  const body = rows.map((r) => [
    r.encoding === 'identity' ? 'off' : r.encoding,
    r.callsPerSecond.toFixed(0),
    Number.isNaN(paired(r)) ? '-' : `${paired(r).toFixed(2)}x`,
    r.bytesPerCall.toFixed(0),
    base ? `${(base.bytesPerCall / r.bytesPerCall).toFixed(2)}x fewer` : '-',
    (r.p99 / 1000).toFixed(2),
    String(r.errors),
    r.roundRatios ? r.roundRatios.map((x) => `${x.toFixed(2)}x`).join(' / ') : '-',
  ]);
  return formatGrid(
    ['compression', 'calls/s', 'vs off (paired median)', 'bytes/call', 'vs off', 'p99 ms', 'errors', 'vs off per round'],
    body,
    o,
  );
}
