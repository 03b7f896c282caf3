import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChaosScenario } from './scenario.js';

/** The order; scenarios not listed here run after these, by name. */
const ORDER = [
  'node-crash',
  'rolling-restart',
  'broker-restart',
  'registry-outage',
  'registry-long-outage',
  'slow-node',
  'soak',
  'frozen-node',
  'once-crash',
];

const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
const isScenarioFile = (f: string) =>
  fromSource ? f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') : f.endsWith('.js');

function isScenario(x: unknown): x is ChaosScenario {
  const s = x as Partial<ChaosScenario> | undefined;
  return typeof s?.name === 'string' && typeof s.budgetSeconds === 'number' && typeof s.run === 'function';
}

/** A scenario file that could not be loaded: reported as a failed row, not a crash of the run. */
export interface Broken {
  file: string;
  error: string;
}

/**
 * Reads `scenarios/` (each file exports `scenario: ChaosScenario`), so scenario files written by
 * different people need no shared index. `only` keeps scenarios whose name or file name it lists.
 */
export async function discoverScenarios(only: readonly string[] = []): Promise<{ scenarios: ChaosScenario[]; broken: Broken[] }> {
  const dir = new URL('./scenarios/', import.meta.url);
  const files = (await readdir(dir)).filter(isScenarioFile).sort();
  const scenarios: ChaosScenario[] = [];
  const broken: Broken[] = [];
  for (const file of files) {
    const base = file.replace(/\.(ts|js)$/, '');
    const wanted = (name?: string) => only.length === 0 || only.includes(base) || (name !== undefined && only.includes(name));
    try {
      const mod = (await import(pathToFileURL(fileURLToPath(new URL(file, dir))).href)) as { scenario?: unknown };
      if (!isScenario(mod.scenario)) throw new Error('it does not export `scenario: ChaosScenario`');
      if (wanted(mod.scenario.name)) scenarios.push(mod.scenario);
    } catch (e) {
      if (wanted()) broken.push({ file, error: e instanceof Error ? e.message : String(e) });
    }
  }
  const rank = (s: ChaosScenario) => {
    const i = ORDER.indexOf(s.name);
    return i < 0 ? ORDER.length : i;
  };
  scenarios.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return { scenarios, broken };
}
