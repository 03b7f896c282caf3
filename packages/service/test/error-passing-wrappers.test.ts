import { type CallWrapper, passingErrors } from '@tsmicro/client';
import { MicroError, notFound } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { pair } from './fixtures.js';

// Call wrappers marked with passingErrors promise to make no errors of their own, so the client hands
// back the promise the outermost one returned instead of chaining a conversion onto it.
function returning() {
  const returned: Promise<unknown>[] = [];
  const wrapper =
    (next: Parameters<CallWrapper>[0]): ReturnType<CallWrapper> =>
    (req, co) => {
      const out = next(req, co);
      returned.push(out);
      return out;
    };
  return { returned, wrapper };
}

const h = {
  W: {
    ping: () => 'pong',
    missing: () => {
      throw notFound('no such thing');
    },
  },
};

describe('error-passing call wrappers', () => {
  it('when every wrapper is marked, the caller gets the outermost wrapper’s own promise, answers and MicroErrors unchanged', async () => {
    const r = returning();
    const p = await pair({ client: { wrappers: { call: [passingErrors<CallWrapper>(r.wrapper)] } }, handlers: h });
    try {
      const call = p.client.call('greeter', 'W.ping', {});
      expect(call).toBe(r.returned[0]);
      expect(await call).toBe('pong');
      const err = await p.client.call('greeter', 'W.missing', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroError);
      expect((err as MicroError).code).toBe(404);
    } finally {
      await p.close();
    }
  });

  it('a marked wrapper that throws at once still reaches the caller as a MicroError', async () => {
    const broken = passingErrors<CallWrapper>(() => () => {
      throw new Error('wrapper broke');
    });
    const p = await pair({ client: { wrappers: { call: [broken] } }, handlers: h });
    try {
      const err = await p.client.call('greeter', 'W.ping', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroError);
      expect((err as MicroError).code).toBe(500);
      expect((err as MicroError).detail).toBe('wrapper broke');
    } finally {
      await p.close();
    }
  });

  it('one unmarked wrapper in the list brings the conversion back: its plain rejection becomes a MicroError', async () => {
    const r = returning();
    const plain: CallWrapper = () => async () => {
      throw new TypeError('plain failure');
    };
    const p = await pair({ client: { wrappers: { call: [passingErrors<CallWrapper>(r.wrapper), plain] } }, handlers: h });
    try {
      const call = p.client.call('greeter', 'W.ping', {});
      expect(call).not.toBe(r.returned[0]);
      const err = await call.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroError);
      expect((err as MicroError).detail).toBe('plain failure');
    } finally {
      await p.close();
    }
  });
});
