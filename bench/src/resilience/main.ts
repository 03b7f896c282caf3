import { badRequest } from '@tsmicro/core';
import { benchSkewedNodes, formatSkewedNodes } from './skewed.js';

/**
 * `node --conditions=source --import tsx bench/src/resilience/main.ts [--quick] [--markdown] [--base-ms=N]`
 * (or `node bench/dist/resilience/main.js …`): W1 c=64 over 3 server processes, one slowed 10×,
 * `roundRobin` versus `leastLoaded`; 1 s warm-up + 5 s window each (`--quick`: 0.3 s + 1 s).
 * `--base-ms` is a normal node's service time (default 1). Env `BENCH_SECONDS` sets the window.
 */

const out = (s: string) => process.stdout.write(`${s}\n`);

async function main(args: readonly string[]): Promise<void> {
  let baseMs = 1;
  for (const a of args) {
    if (a.startsWith('--base-ms=')) baseMs = Number(a.slice('--base-ms='.length));
    else if (a !== '--quick' && a !== '--markdown') throw badRequest(`unknown argument ${a}: expected --quick, --markdown or --base-ms=N`);
  }
  if (!(baseMs > 0)) throw badRequest('--base-ms needs a positive number of milliseconds');
  const quick = args.includes('--quick');
  const seconds = Number(process.env.BENCH_SECONDS);
  const measureMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : quick ? 1000 : 5000;
  const rows = await benchSkewedNodes({ baseMs, measureMs, warmupMs: quick ? 300 : 1000, progress: (p) => out(`… ${p}`) });
  out(`\nW1 c=64, 3 nodes, one slowed 10× (${baseMs} ms vs ${baseMs * 10} ms service time)\n`);
  out(formatSkewedNodes(rows, { markdown: args.includes('--markdown') }));
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`resilience bench failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
