import { MicroError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { isThenable } from './guards.js';
import { type Runner, settleIterable, settleResult } from './settle.js';

/** A `done` that records each call's error (`undefined` for a clean end). */
function recorder() {
  const ends: unknown[] = [];
  return { ends, done: (err?: unknown) => void ends.push(err) };
}

async function collect<T>(src: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of src) out.push(v);
  return out;
}

async function* three() {
  yield 1;
  yield 2;
  yield 3;
}

describe('settleResult', () => {
  it('ends a unary or client-stream result at once, returning it unchanged', () => {
    const r = recorder();
    const value = { a: 1 };
    expect(settleResult(value, 'unary', r.done)).toBe(value);
    expect(settleResult(value, 'client-stream', r.done)).toBe(value);
    expect(r.ends).toEqual([undefined, undefined]);
  });

  it('ends a response stream only when it is exhausted, once', async () => {
    const r = recorder();
    const out = settleResult(three(), 'server-stream', r.done) as AsyncIterable<number>;
    const got: number[] = [];
    for await (const v of out) {
      got.push(v);
      expect(r.ends).toEqual([]);
    }
    expect(got).toEqual([1, 2, 3]);
    expect(r.ends).toEqual([undefined]);
  });

  it("ends a failing stream with the stream's error", async () => {
    const r = recorder();
    const boom = new Error('boom');
    async function* failing() {
      yield 1;
      throw boom;
    }
    const out = settleResult(failing(), 'bidi-stream', r.done) as AsyncIterable<number>;
    await expect(collect(out)).rejects.toBe(boom);
    expect(r.ends).toEqual([boom]);
  });

  it('ends an abandoned stream once with a 499, and stops its producer', async () => {
    const r = recorder();
    let cleanedUp = false;
    async function* endless() {
      try {
        for (;;) yield 0;
      } finally {
        cleanedUp = true;
      }
    }
    const out = settleResult(endless(), 'server-stream', r.done) as AsyncIterable<number>;
    for await (const _ of out) break;
    expect(cleanedUp).toBe(true);
    expect(r.ends).toHaveLength(1);
    expect(r.ends[0]).toBeInstanceOf(MicroError);
    expect((r.ends[0] as MicroError).code).toBe(499);
  });

  it('runs every step of a response stream through the runner', async () => {
    let runs = 0;
    const run: Runner = (f) => {
      runs++;
      return f();
    };
    const out = settleResult(three(), 'server-stream', () => {}, run) as AsyncIterable<number>;
    expect(await collect(out)).toEqual([1, 2, 3]);
    // Three values and the final `done` step.
    expect(runs).toBe(4);
  });
});

describe('settleIterable', () => {
  it('calls done once even when iterated to the end and then returned', async () => {
    const r = recorder();
    const it = settleIterable(three(), r.done)[Symbol.asyncIterator]();
    while (!(await it.next()).done);
    await it.return?.();
    expect(r.ends).toEqual([undefined]);
  });
});

describe('isThenable', () => {
  it('tells what `await` would wait for', () => {
    expect(isThenable(Promise.resolve(1))).toBe(true);
    // Built with defineProperty: a literal `then` key is what the linter (rightly) warns about elsewhere.
    const withThen = <T extends object>(o: T, then: unknown) => Object.defineProperty(o, 'then', { value: then });
    expect(isThenable(withThen({}, () => {}))).toBe(true);
    expect(
      isThenable(
        withThen(
          () => {},
          () => {},
        ),
      ),
    ).toBe(true);
    expect(isThenable(withThen({}, 1))).toBe(false);
    expect(isThenable(1)).toBe(false);
    expect(isThenable(null)).toBe(false);
    expect(isThenable(undefined)).toBe(false);
  });
});
