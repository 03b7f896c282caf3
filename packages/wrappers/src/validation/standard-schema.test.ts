import { MicroError } from '@tsmicro/core';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validate } from './standard-schema.js';

describe('validate (Standard Schema)', () => {
  it('returns the parsed value from zod and valibot schemas', async () => {
    expect(await validate(z.object({ name: z.string() }), { name: 'ada' })).toEqual({ name: 'ada' });
    expect(await validate(v.object({ n: v.number() }), { n: 1 })).toEqual({ n: 1 });
  });
  it('throws badRequest listing every issue with its path', async () => {
    const schema = z.object({ name: z.string().min(2), age: z.number().int() });
    const err = await validate(schema, { name: 'a', age: 1.5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicroError);
    expect((err as MicroError).code).toBe(400);
    expect((err as MicroError).detail).toMatch(/^invalid request: /);
    expect((err as MicroError).detail).toMatch(/name: /);
    expect((err as MicroError).detail).toMatch(/age: /);
  });
});
