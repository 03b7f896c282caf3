import type { ChildProcess } from 'node:child_process';

/** What one chaos scenario reports: `pass` is false when a figure misses `target`. */
export interface ScenarioResult {
  name: string;
  pass: boolean;
  target: string;
  figures: Record<string, string | number>;
  notes?: string;
}

/** Everything the runner hands a scenario. */
export interface ScenarioContext {
  quick: boolean;
  log: (line: string) => void;
  signal: AbortSignal;
  /** spawn a TS/JS child that runs from source or dist transparently */
  spawnNode(file: string, args?: string[], env?: Record<string, string>): ChildProcess;
}

/** A scenario file in `bench/src/chaos/scenarios/` exports `scenario: ChaosScenario`. */
export interface ChaosScenario {
  name: string;
  /** seconds it takes at most */
  budgetSeconds: number;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

/**
 * A scenario's result from its figures and the targets it missed (none: a pass; otherwise the misses become its notes).
 * @example return scenarioResult(scenario.name, TARGET, figures, failures)
 */
export function scenarioResult(
  name: string,
  target: string,
  figures: Record<string, string | number>,
  failures: readonly string[],
): ScenarioResult {
  return { name, pass: failures.length === 0, target, figures, ...(failures.length > 0 ? { notes: failures.join('; ') } : {}) };
}
