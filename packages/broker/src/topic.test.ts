import { MicroError } from '@tsmicro/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, matchTopic, topicCheck, validatePattern, validateTopic } from './topic.js';

describe('topic matching', () => {
  it.each([
    ['a.b', 'a.b', true],
    ['a.b', 'a.c', false],
    ['a.*', 'a.b', true],
    ['a.*', 'a.b.c', false],
    ['a.*', 'a', false],
    ['*.b', 'a.b', true],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c.d', true],
    ['a.>', 'a', false],
    ['>', 'a', true],
    ['>', 'a.b', true],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['a.*.c.>', 'a.x.c.d', true],
    ['a.*.c.>', 'a.x.c', false],
    ['a*', 'ab', false],
    ['a*', 'a*', true],
  ])('%s vs %s → %s', (pattern, topic, want) => {
    expect(matchTopic(pattern, topic)).toBe(want);
  });

  it('agrees with a reference matcher on random topics', () => {
    const token = fc.constantFrom('a', 'b', 'c');
    const patToken = fc.constantFrom('a', 'b', '*');
    const reference = (p: string[], t: string[]): boolean => {
      if (p.length === 0) return t.length === 0;
      const [head, ...rest] = p;
      if (head === '>') return t.length >= 1;
      if (t.length === 0) return false;
      return (head === '*' || head === t[0]) && reference(rest, t.slice(1));
    };
    fc.assert(
      fc.property(
        fc.array(patToken, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.array(token, { minLength: 1, maxLength: 5 }),
        (p, tail, t) => {
          const parts = tail ? [...p, '>'] : p;
          expect(compilePattern(parts.join('.'))(t.join('.'))).toBe(reference(parts, t));
        },
      ),
    );
  });

  it.each(['', 'a..b', '.a', 'a.', 'a.*', 'a.>', '*', 'a b', 'a\tb'])('refuses publish topic %j with 400 naming it', (t) => {
    try {
      validateTopic(t);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(400);
      if (t) expect((e as MicroError).detail).toContain(t);
    }
  });

  it.each(['', 'a..b', 'a.>.b', '>.a', '>.>', 'a b'])('refuses pattern %j with 400', (p) => {
    expect(() => validatePattern(p)).toThrow(MicroError);
  });

  it('explains why ">" is misplaced', () => {
    expect(() => validatePattern('a.>.b')).toThrow(/">" must be the last token/);
  });

  it('topicCheck refuses what validateTopic refuses, every time, and keeps accepting past its memory bound', () => {
    const check = topicCheck();
    for (let round = 0; round < 2; round++) {
      expect(() => check('a.*')).toThrow(MicroError);
      expect(() => check('a..b')).toThrow(/empty token/);
    }
    for (let i = 0; i < 3000; i++) check(`orders.n${i}`);
    expect(() => check('orders.n1')).not.toThrow();
    expect(() => check('orders.>')).toThrow(/wildcard/);
  });
});
