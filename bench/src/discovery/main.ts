import { badRequest } from '@tsmicro/core';
import { type DiscoveryPart, formatDiscovery, runDiscoveryBench } from './suite.js';

/**
 * `node --conditions=source --import tsx bench/src/discovery/main.ts [latency] [cache] [selector] [--quick] [--markdown]`
 * (or `node bench/dist/discovery/main.js …`): runs the discovery benchmarks (all parts by default,
 * about 20 s; `--quick` about 8 s) and prints their tables.
 */

const PARTS: readonly DiscoveryPart[] = ['latency', 'cache', 'selector'];
const isPart = (a: string): a is DiscoveryPart => (PARTS as readonly string[]).includes(a);
const out = (s: string) => process.stdout.write(`${s}\n`);

async function main(args: readonly string[]): Promise<void> {
  const parts: DiscoveryPart[] = [];
  for (const a of args) {
    if (isPart(a)) parts.push(a);
    else if (a !== '--quick' && a !== '--markdown')
      throw badRequest(`unknown argument ${a}: expected ${PARTS.join(', ')}, --quick or --markdown`);
  }
  const results = await runDiscoveryBench({
    parts: parts.length > 0 ? parts : PARTS,
    quick: args.includes('--quick'),
    progress: (p) => out(`… ${p}`),
  });
  out(`\n${formatDiscovery(results, { markdown: args.includes('--markdown') })}`);
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`discovery bench failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
