/** Options of {@link backoff}. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry, ms. Default 100. */
  base?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Largest delay, ms. Default 10_000. */
  cap?: number;
  /** Uniform in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: the delay before retry `attempt` (1 for the first retry)
 * is uniform in [0, min(cap, base × factor^(attempt−1))). Full jitter spreads retrying clients
 * apart instead of having them retry in waves.
 * @example const delay = backoff({ base: 50 }); await sleep(delay(attempt))
 */
export function backoff(o: BackoffOptions = {}): (attempt: number) => number {
  const base = o.base ?? 100;
  const factor = o.factor ?? 2;
  const cap = o.cap ?? 10_000;
  const random = o.random ?? Math.random;
  return (attempt) => {
    const ceiling = Math.min(cap, base * factor ** Math.max(0, attempt - 1));
    return Math.floor(random() * ceiling);
  };
}
