import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The setup scripts under scripts/services that a bench section can call on. */
export type BenchService = 'etcd' | 'node22';

/**
 * Runs `scripts/services/<name>.sh`, which installs and starts what it sets up only when missing
 * (as `pnpm test` does), so a full `pnpm bench` on a fresh machine measures every row instead of
 * skipping etcd's and zstd's. Its messages go to our stderr. Returns the script's last line of
 * output (node22.sh prints the binary's path there), or undefined when it failed.
 */
export function ensureService(name: BenchService, say: (line: string) => void): string | undefined {
  const script = fileURLToPath(new URL(`../../scripts/services/${name}.sh`, import.meta.url));
  say(`… setting up ${name} (${script}; installs on first use, may take a minute)`);
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) say(`… ${name} could not be set up (exit ${r.status ?? r.signal}); its rows are skipped and say why`);
  return r.status === 0 ? (r.stdout.trim().split('\n').pop() ?? '') : undefined;
}
