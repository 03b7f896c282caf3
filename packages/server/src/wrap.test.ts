import { describe, expect, it } from 'vitest';
import type { HandlerFunc, HandlerWrapper, ServerContext } from './server.js';
import { chain, passingValues } from './wrap.js';

const ctx = { endpoint: 'G.hi' } as ServerContext;
const isPromise = (v: unknown) => v instanceof Promise;

/** A wrapper recording its name and what `next` gave it, handing that back untouched. */
function recording(name: string, order: string[], got: unknown[]): HandlerWrapper {
  return (next) => (req, c) => {
    order.push(name);
    const out = next(req, c);
    got.push(out);
    return out;
  };
}

/** A wrapper that awaits `next`, as most hand-written ones do. */
function awaiting(name: string, order: string[]): HandlerWrapper {
  return (next) => async (req, c) => {
    order.push(name);
    return await next(req, c);
  };
}

describe('chain (handler wrappers)', () => {
  it('answers a plain value as it came, through every wrapper in order (first listed outermost)', () => {
    const order: string[] = [];
    const got: unknown[] = [];
    const fn = chain<HandlerFunc>((req) => ({ echo: req }), [recording('a', order, got), recording('b', order, got)]);
    expect(fn('x', ctx)).toEqual({ echo: 'x' });
    expect(order).toEqual(['a', 'b']);
    expect(got.some(isPromise)).toBe(false);
  });

  it('passes a promise-returning handler through as a promise', async () => {
    const fn = chain<HandlerFunc>(async (req) => `late ${String(req)}`, [recording('a', [], [])]);
    const out = fn('x', ctx);
    expect(isPromise(out)).toBe(true);
    await expect(out as Promise<unknown>).resolves.toBe('late x');
  });

  it('lets an awaiting wrapper stand anywhere: the wrappers outside it get its promise, those inside the plain value', async () => {
    const order: string[] = [];
    const got: unknown[] = [];
    const list = [recording('outer', order, got), awaiting('middle', order), recording('inner', order, got)];
    const out = chain<HandlerFunc>((req) => req, list)(7, ctx);
    await expect(out as Promise<unknown>).resolves.toBe(7);
    expect(order).toEqual(['outer', 'middle', 'inner']);
    // inner saw the handler's plain value; outer saw middle's promise.
    expect(got[0]).toBe(7);
    expect(isPromise(got[1])).toBe(true);
  });

  it("turns a handler's synchronous throw into a rejection for an awaiting wrapper, and throws it through the others", async () => {
    const boom: HandlerFunc = () => {
      throw new Error('boom');
    };
    await expect(chain(boom, [awaiting('a', [])])(1, ctx) as Promise<unknown>).rejects.toThrow('boom');
    expect(() => chain(boom, [recording('r', [], [])])(1, ctx)).toThrow('boom');
  });

  it('lets a wrapper answer without calling next', () => {
    let called = false;
    const cached: HandlerWrapper = () => () => 'cached';
    const fn = chain<HandlerFunc>(() => {
      called = true;
      return 'fresh';
    }, [cached]);
    expect(fn(1, ctx)).toBe('cached');
    expect(called).toBe(false);
  });

  it('keeps passingValues working as a deprecated no-op', () => {
    const w = recording('p', [], []);
    expect(passingValues(w)).toBe(w);
    expect(chain<HandlerFunc>((req) => req, [passingValues(w)])(3, ctx)).toBe(3);
  });
});
