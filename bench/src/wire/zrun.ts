import { readFileSync } from 'node:fs';
import { createClient } from '@tsmicro/client';
import { tcpTransport } from '@tsmicro/transport';
import { type Encoding, hasZstd } from '@tsmicro/transport/rpc';
import { runClosedLoop } from '../load.js';
import { entryOf, spawnServer } from '../resilience/index.js';

/**
 * One compression measurement run, started inside a network namespace by `compression.ts`:
 * `node zrun.js '{"concurrency":16,"warmupMs":…,"measureMs":…}'`. For each encoding (off, gzip,
 * br, and zstd when this Node has it)
 * a server process answering `Wire.records` (about 64 KiB of JSON) with that encoding, a client at
 * `concurrency`; bytes on the wire are the namespace's loopback counters (only this run's traffic).
 * Prints one JSON line of results.
 */

interface Spec {
  concurrency: number;
  warmupMs: number;
  measureMs: number;
}

/** Bytes the loopback device has carried (each packet counted once), from /proc/net/dev of this namespace. */
function loBytes(): number {
  const line = readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith('lo:'));
  return Number(line?.split(':')[1]?.trim().split(/\s+/)[0] ?? Number.NaN);
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const encodings: Array<Encoding | 'identity'> = ['identity', 'gzip', 'br', ...(hasZstd ? (['zstd'] as const) : [])];
const results = [];
for (const enc of encodings) {
  const node = await spawnServer(entryOf('../wire/server', import.meta.url), [enc], `wire-${enc}`);
  const client = createClient({ transport: tcpTransport(), compression: { encoding: enc } });
  try {
    const opts = { address: node.address, timeout: 30_000 };
    const call = () => client.call('wire', 'Wire.records', {}, opts);
    await runClosedLoop(call, { concurrency: spec.concurrency, warmupMs: 0, measureMs: spec.warmupMs });
    const before = loBytes();
    const load = await runClosedLoop(call, { concurrency: spec.concurrency, warmupMs: 0, measureMs: spec.measureMs });
    const bytes = loBytes() - before;
    results.push({
      encoding: enc,
      callsPerSecond: load.ops / load.seconds,
      bytesPerCall: bytes / Math.max(1, load.ops),
      p99: load.latency.p99,
      errors: load.errors,
    });
  } finally {
    await client.close();
    await node.stop();
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
