/**
 * Nightly-size fuzz run of the pure wire decoders (docs/security.md):
 *   node --conditions=source --import tsx scripts/fuzz.ts [--runs 1000000] [--time 600] [--seed 1]
 * `--runs` inputs in total, split over the targets by weight, stopping early at `--time` seconds.
 * Prints inputs/s, crashes (with the first failing inputs, hex) and peak heap; exits 1 on a crash.
 * The vitest fuzz tests (`FUZZ_RUNS`) are the short CI run of the same targets.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { STATIC_TABLE } from '../packages/transport/src/tcp/wire.js';
import { cutsArb, streamArb } from '../packages/transport/test/fuzz/frames.js';
import { fuzzHeaderBytes, fuzzHeaderRoundTrip, fuzzReader } from '../packages/transport/test/fuzz/targets.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000000' },
    time: { type: 'string', default: '600' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
  },
});
const totalRuns = Number(values.runs);
const timeLimitMs = Number(values.time) * 1000;
const seed = Number(values.seed);
if (!(totalRuns > 0) || !(timeLimitMs > 0) || !Number.isInteger(seed)) {
  process.stderr.write('usage: fuzz.ts [--runs N>0] [--time seconds>0] [--seed integer]\n');
  process.exit(2);
}

/** Small enough that generated frames cross it often. */
const MAX_MESSAGE_SIZE = 1024;
const BATCH = 5000;

/** One fuzz target with its input type erased: runs `n` generated inputs, reports crashes, returns the slowest input's ms. */
interface Target {
  name: string;
  weight: number;
  batch(n: number, seed: number, onCrash: (e: unknown, input: string) => void): number;
  /** Re-runs the slowest input seen so far alone: tells a pathological input from a GC pause. */
  replaySlowest(): number;
}

function target<T>(name: string, weight: number, arb: fc.Arbitrary<T>, run: (input: T) => void, show: (input: T) => string): Target {
  let slowest = 0;
  let slowestInput: T | undefined;
  return {
    name,
    weight,
    batch(n, seed, onCrash) {
      for (const input of fc.sample(arb, { numRuns: n, seed })) {
        const s = performance.now();
        try {
          run(input);
        } catch (e) {
          onCrash(e, show(input));
        }
        const ms = performance.now() - s;
        if (ms > slowest) {
          slowest = ms;
          slowestInput = input;
        }
      }
      return slowest;
    },
    replaySlowest() {
      if (slowestInput === undefined) return 0;
      const s = performance.now();
      try {
        run(slowestInput);
      } catch {
        // Already counted as a crash.
      }
      return performance.now() - s;
    },
  };
}

const text = fc.oneof(
  fc.constantFrom(...STATIC_TABLE, '__proto__', 'constructor'),
  fc.string({ maxLength: 70 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);
const targets: Target[] = [
  target(
    'frame decoder (mutated streams, random chunking)',
    0.7,
    fc.tuple(streamArb, cutsArb),
    ([stream, cuts]) => void fuzzReader(stream, cuts, MAX_MESSAGE_SIZE),
    ([stream, cuts]) => `stream=${stream.toString('hex')} cuts=${cuts.join(',')}`,
  ),
  target(
    'header decoder (random and mutated bytes)',
    0.2,
    fc.oneof(
      fc.uint8Array({ maxLength: 96 }),
      fc.uint8Array({ maxLength: 16 }).map((b) => Uint8Array.from([0, b.length, ...b])),
    ),
    (b) => void fuzzHeaderBytes(b),
    (b) => Buffer.from(b).toString('hex'),
  ),
  target(
    'header round trip',
    0.1,
    fc.array(fc.tuple(text, text), { maxLength: 10 }),
    (entries) => {
      const h: Record<string, string> = {};
      for (const [k, v] of entries) Object.defineProperty(h, k, { value: v, enumerable: true, writable: true, configurable: true });
      fuzzHeaderRoundTrip(h);
    },
    (entries) => JSON.stringify(entries),
  ),
];

const started = Date.now();
let peakHeap = process.memoryUsage().heapUsed;
let peakRss = process.memoryUsage().rss;
let totalCrashes = 0;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
process.stdout.write(`tsmicro fuzz: ${totalRuns} inputs, time limit ${timeLimitMs / 1000} s, seed ${seed}\n`);

for (const [i, t] of targets.entries()) {
  const budget = Math.round(totalRuns * t.weight);
  // Each target gets the time its weight earns, so one slow target cannot starve the others.
  const deadline = Math.min(started + timeLimitMs, Date.now() + timeLimitMs * t.weight);
  const examples: string[] = [];
  let done = 0;
  let crashes = 0;
  let slowest = 0;
  const t0 = Date.now();
  for (let batch = 0; done < budget && Date.now() < deadline; batch++) {
    const n = Math.min(BATCH, budget - done);
    const slow = t.batch(n, seed + i * 1_000_003 + batch, (e, input) => {
      crashes++;
      if (examples.length < 3) examples.push(`${e instanceof Error ? e.message : String(e)}\n    input: ${input.slice(0, 2000)}`);
    });
    slowest = Math.max(slowest, slow);
    done += n;
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }
  const secs = (Date.now() - t0) / 1000;
  totalCrashes += crashes;
  process.stdout.write(
    `${t.name}: ${done} inputs in ${secs.toFixed(1)} s (${Math.round(done / secs)} inputs/s), slowest ${slowest.toFixed(2)} ms (replayed alone: ${t.replaySlowest().toFixed(2)} ms), crashes ${crashes}\n`,
  );
  for (const ex of examples) process.stdout.write(`  crash: ${ex}\n`);
}
process.stdout.write(
  `peak heap ${mib(peakHeap)}, peak rss ${mib(peakRss)}, total ${((Date.now() - started) / 1000).toFixed(1)} s, crashes ${totalCrashes}\n`,
);
process.exitCode = totalCrashes > 0 ? 1 : 0;
