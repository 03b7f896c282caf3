/**
 * Runs the registry-outage scenario standalone (without the chaos runner):
 * node --conditions=source --import tsx bench/src/chaos/scenarios/registry/try.ts [--full]
 */
import { spawn } from 'node:child_process';
import { scenario } from '../registry-outage.js';

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
