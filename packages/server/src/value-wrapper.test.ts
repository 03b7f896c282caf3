import { describe, expect, it } from 'vitest';
import type { HandlerWrapper, ServerContext, ValueHandlerFunc } from './server.js';
import { passingValues, wrapHandler } from './value-wrapper.js';

const ctx = { endpoint: 'G.hi' } as ServerContext;
const isPromise = (v: unknown) => v instanceof Promise;

/** A classic wrapper recording, per call, whether `next` gave it a promise. */
function classic(name: string, order: string[], sawPromise: boolean[]): HandlerWrapper {
  return (next) => (req, c) => {
    order.push(name);
    const out = next(req, c);
    sawPromise.push(isPromise(out));
    return out;
  };
}

/** A value-passing wrapper recording what `next` gave it. */
function passing(name: string, order: string[], got: unknown[]) {
  return passingValues((next) => (req, c) => {
    order.push(name);
    const out = next(req, c);
    got.push(out);
    return out;
  });
}

describe('wrapHandler', () => {
  it('with value-passing wrappers only, answers a plain value as it came, through every wrapper in order', () => {
    const order: string[] = [];
    const got: unknown[] = [];
    const w = wrapHandler((req) => ({ echo: req }), [passing('a', order, got), passing('b', order, got)]);
    expect(w.direct).toBeDefined();
    const out = w.direct?.('x', ctx);
    expect(out).toEqual({ echo: 'x' });
    expect(order).toEqual(['a', 'b']);
    expect(got.some(isPromise)).toBe(false);
  });

  it('still offers the promise-returning invocation, and passes a promise-returning handler through', async () => {
    const w = wrapHandler(async (req) => `late ${String(req)}`, [passing('a', [], [])]);
    const direct = w.direct?.('x', ctx);
    expect(isPromise(direct)).toBe(true);
    await expect(direct as Promise<unknown>).resolves.toBe('late x');
    const viaInvoke = w.invoke('y', ctx);
    expect(isPromise(viaInvoke)).toBe(true);
    await expect(viaInvoke).resolves.toBe('late y');
  });

  it('gives a classic wrapper a promise from next, wherever it stands in a mixed list', async () => {
    const order: string[] = [];
    const sawPromise: boolean[] = [];
    const got: unknown[] = [];
    const handler: ValueHandlerFunc = (req) => req;
    const list = [passing('outer', order, got), classic('middle', order, sawPromise), passing('inner', order, got)];
    const w = wrapHandler(handler, list);
    // The outermost wrapper passes values: the chain may answer plainly, but here it answers with the classic one's promise.
    const out = w.direct?.(7, ctx);
    await expect(out as Promise<unknown>).resolves.toBe(7);
    expect(order).toEqual(['outer', 'middle', 'inner']);
    expect(sawPromise).toEqual([true]);
    // inner saw the handler's plain value; outer saw middle's promise.
    expect(got).toHaveLength(2);
    expect(got[0]).toBe(7);
    expect(isPromise(got[1])).toBe(true);
  });

  it('has no direct invocation when the outermost wrapper is a classic one', async () => {
    const w = wrapHandler((req) => req, [classic('outer', [], []), passing('inner', [], [])]);
    expect(w.direct).toBeUndefined();
    await expect(w.invoke(3, ctx)).resolves.toBe(3);
  });

  it("turns a handler's synchronous throw into a rejection for classic wrappers and the promise invocation", async () => {
    const boom: ValueHandlerFunc = () => {
      throw new Error('boom');
    };
    const sawPromise: boolean[] = [];
    const classicOnly = wrapHandler(boom, [classic('c', [], sawPromise)]);
    await expect(classicOnly.invoke(1, ctx)).rejects.toThrow('boom');
    expect(sawPromise).toEqual([true]);
    const passingOnly = wrapHandler(boom, [passing('p', [], [])]);
    expect(() => passingOnly.direct?.(1, ctx)).toThrow('boom');
    await expect(passingOnly.invoke(1, ctx)).rejects.toThrow('boom');
  });

  it('lets a value-passing wrapper answer without calling next', () => {
    let called = false;
    const cached = passingValues(() => () => 'cached');
    const w = wrapHandler(() => {
      called = true;
      return 'fresh';
    }, [cached]);
    expect(w.direct?.(1, ctx)).toBe('cached');
    expect(called).toBe(false);
  });
});
