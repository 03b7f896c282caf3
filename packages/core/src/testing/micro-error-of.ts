import { isMicroError, type MicroError } from '../errors.js';

/**
 * The `MicroError` that `p` rejects with. Fails (rejects) when `p` resolves, or rejects with anything
 * that is not a `MicroError`: a test of an error path then fails on the wrong outcome, not later on
 * a missing field.
 * @example expect((await microErrorOf(client.call('greeter', 'Greeter.nope', {}))).code).toBe(404)
 */
export async function microErrorOf(p: Promise<unknown>): Promise<MicroError> {
  const outcome = await p.then(
    (value: unknown) => ({ settled: 'resolved' as const, value }),
    (error: unknown) => ({ settled: 'rejected' as const, value: error }),
  );
  if (outcome.settled === 'resolved') throw new Error(`expected a rejection with a MicroError, got a value: ${String(outcome.value)}`);
  if (!isMicroError(outcome.value)) throw new Error(`expected a MicroError, got ${String(outcome.value)}`);
  return outcome.value;
}
