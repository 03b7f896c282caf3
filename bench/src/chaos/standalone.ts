import { spawn } from 'node:child_process';
import type { ChaosScenario } from './scenario.js';

/**
 * Runs one chaos scenario without the chaos runner: quick unless `--full` is given, within the
 * scenario's budget, its nodes run from source (tsx), and prints the result as JSON.
 * @example await runStandalone(scenario) // node --conditions=source --import tsx bench/src/chaos/scenarios/broker/try.ts [--full]
 */
export async function runStandalone(scenario: ChaosScenario): Promise<void> {
  const quick = !process.argv.includes('--full');
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), scenario.budgetSeconds * 1000);
  const result = await scenario.run({
    quick,
    signal: ac.signal,
    log: (line) => process.stdout.write(`${line}\n`),
    spawnNode: (file, args = [], env = {}) =>
      spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file, ...args], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, ...env },
      }),
  });
  clearTimeout(timer);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
