import { internalServerError, timeout } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.js';
import { hedge } from './hedge.js';

/** An attempt that settles only when the test says so, recording its abort. */
function scripted() {
  const attempts: Array<{ n: number; signal: AbortSignal; resolve: (v: string) => void; reject: (e: unknown) => void }> = [];
  const attempt = (signal: AbortSignal, n: number) =>
    new Promise<string>((resolve, reject) => {
      attempts.push({ n, signal, resolve, reject });
    });
  return { attempts, attempt };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('hedge', () => {
  it('starts a second attempt after the delay; the first success wins and the loser is aborted', async () => {
    const clock = manualClock();
    const { attempts, attempt } = scripted();
    const result = hedge(attempt, { delay: 50, clock });
    expect(attempts).toHaveLength(1);
    clock.advance(49);
    expect(attempts).toHaveLength(1);
    clock.advance(1);
    expect(attempts.map((a) => a.n)).toEqual([0, 1]);
    attempts[1]!.resolve('from second');
    expect(await result).toBe('from second');
    expect(attempts[0]!.signal.aborted).toBe(true);
    expect(attempts[1]!.signal.aborted).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  it('needs no second attempt when the first answers in time', async () => {
    const clock = manualClock();
    const { attempts, attempt } = scripted();
    const result = hedge(attempt, { delay: 50, clock });
    attempts[0]!.resolve('fast');
    expect(await result).toBe('fast');
    expect(clock.pending()).toBe(0);
    clock.advance(100);
    expect(attempts).toHaveLength(1);
  });

  it('starts the next attempt at once when one fails, and throws the last error when all fail', async () => {
    const clock = manualClock();
    const { attempts, attempt } = scripted();
    const result = hedge(attempt, { delay: 50, maxAttempts: 3, clock });
    attempts[0]!.reject(internalServerError('first'));
    await tick();
    expect(attempts).toHaveLength(2);
    clock.advance(50);
    expect(attempts).toHaveLength(3);
    attempts[2]!.reject(internalServerError('third'));
    await tick();
    attempts[1]!.reject(internalServerError('second'));
    await expect(result).rejects.toMatchObject({ detail: 'second' });
  });

  it('aborts every attempt with the caller signal reason', async () => {
    const clock = manualClock();
    const { attempts, attempt } = scripted();
    const ac = new AbortController();
    const result = hedge(attempt, { delay: 10, clock, signal: ac.signal });
    clock.advance(10);
    ac.abort(timeout('deadline'));
    await expect(result).rejects.toMatchObject({ code: 408 });
    expect(attempts.every((a) => a.signal.aborted)).toBe(true);
    expect(clock.pending()).toBe(0);
  });
});
