import type { ChaosScenario, ScenarioResult } from './scenario.js';
import { createSpawner, type Spawner } from './spawn.js';

/** How scenarios are run. */
export interface RunnerOptions {
  quick: boolean;
  log: (line: string) => void;
  /** Forward every child's output to `log`. Default false. */
  verbose?: boolean;
}

/** Ms a scenario gets after its budget to notice the abort and return what it has. */
const GRACE_MS = 10_000;

const live = new Set<Spawner>();
/** Synchronous last resort for exit and signal handlers: SIGKILL every child of every running scenario. */
export function killEverything(): void {
  for (const s of live) s.killNow();
}

/**
 * Runs one scenario: its `signal` aborts when the budget is spent, and after a further grace the
 * scenario is abandoned as failed. Every child it spawned is killed when it ends, whatever happened.
 */
export async function runScenario(s: ChaosScenario, o: RunnerOptions): Promise<ScenarioResult> {
  const spawner = createSpawner(o.log, o.verbose ?? false);
  live.add(spawner);
  const ac = new AbortController();
  const log = (line: string) => o.log(`[${s.name}] ${line}`);
  const t0 = performance.now();
  let soft: NodeJS.Timeout | undefined;
  let hard: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    soft = setTimeout(() => ac.abort(new Error(`budget of ${s.budgetSeconds} s spent`)), s.budgetSeconds * 1000);
    hard = setTimeout(
      () => reject(new Error(`still running ${GRACE_MS / 1000} s after its ${s.budgetSeconds} s budget`)),
      s.budgetSeconds * 1000 + GRACE_MS,
    );
  });
  let result: ScenarioResult;
  try {
    result = await Promise.race([s.run({ quick: o.quick, log, signal: ac.signal, spawnNode: spawner.spawnNode }), overrun]);
  } catch (e) {
    result = { name: s.name, pass: false, target: '-', figures: {}, notes: `error: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    clearTimeout(soft);
    clearTimeout(hard);
    await spawner.killAll();
    live.delete(spawner);
  }
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  if (seconds > s.budgetSeconds) {
    result = {
      ...result,
      pass: false,
      notes: [result.notes, `took ${seconds} s, over its ${s.budgetSeconds} s budget`].filter(Boolean).join(' | '),
    };
  }
  return { ...result, figures: { ...result.figures, seconds } };
}
