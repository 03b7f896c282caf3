import { describe, expect, it } from 'vitest';
import { notFound } from '../errors.js';
import { microErrorOf } from './micro-error-of.js';

describe('microErrorOf', () => {
  it('hands back the MicroError a promise rejects with', async () => {
    const e = await microErrorOf(Promise.reject(notFound('no such greeter')));
    expect({ code: e.code, detail: e.detail }).toEqual({ code: 404, detail: 'no such greeter' });
  });

  it('fails when the promise resolves, or rejects with something that is not a MicroError', async () => {
    await expect(microErrorOf(Promise.resolve(42))).rejects.toThrow(/expected a rejection with a MicroError, got a value: 42/);
    await expect(microErrorOf(Promise.reject(new TypeError('boom')))).rejects.toThrow(/expected a MicroError, got TypeError: boom/);
  });
});
