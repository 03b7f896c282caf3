import { badRequest } from '@tsmicro/core';
import type { Settings } from './execute.js';
import { WORKLOADS, type WorkloadId } from './rows.js';

/**
 * Reads `[W1 W2 W3 W4 SOAK OBS GRPC] [--quick] [--soak] [--no-write]` and `BENCH_SECONDS`. No workload
 * named means W1–W4, OBS (observability on/off) and GRPC; the measured window is `BENCH_SECONDS` (default 5 s, 1 s with `--quick`).
 */
export function parseArgs(
  argv: readonly string[],
  benchSeconds?: string,
): { selected: Set<WorkloadId>; settings: Settings; write: boolean } {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  for (const f of flags)
    if (!['--quick', '--soak', '--no-write'].includes(f)) throw badRequest(`unknown flag ${f} (known: --quick, --soak, --no-write)`);
  const ids = argv.filter((a) => !a.startsWith('--')).map((a) => a.toUpperCase());
  for (const id of ids)
    if (!(WORKLOADS as readonly string[]).includes(id)) throw badRequest(`unknown workload ${id} (known: ${WORKLOADS.join(', ')})`);
  const selected = new Set<WorkloadId>(ids.length > 0 ? (ids as WorkloadId[]) : ['W1', 'W2', 'W3', 'W4', 'OBS', 'GRPC']);
  if (flags.has('--soak')) selected.add('SOAK');
  const quick = flags.has('--quick');
  const envSeconds = Number(benchSeconds);
  const measureMs = Number.isFinite(envSeconds) && envSeconds > 0 ? envSeconds * 1000 : quick ? 1000 : 5000;
  const settings: Settings = {
    warmupMs: quick ? 500 : 1000,
    measureMs,
    streamCount: 100_000,
    pubsubCount: 200_000,
    pubsubLimitMs: quick ? 3000 : Math.max(10_000, measureMs),
    // 60 s in all, the last 40 s measured (issue 19: flat in the last 40 s of a 60 s soak).
    soakMs: quick ? 5000 : 40_000,
    soakWarmupMs: quick ? 2000 : 20_000,
  };
  return { selected, settings, write: !flags.has('--no-write') };
}
