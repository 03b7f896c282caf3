import { memoryBroker } from '@tsmicro/broker';
import { type CallWrapper, createClient, type PublishWrapper, passingErrors, type StreamWrapper } from '@tsmicro/client';
import { MicroError, notFound } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { pair, until } from './fixtures.js';

// A client wrapper that hands back the promise `next` gave it makes no errors of its own: the client
// sees that, and hands the caller that promise instead of chaining a conversion onto it. Nothing is
// marked; `passingErrors` is a deprecated alias that changes nothing.
function returning() {
  const returned: Promise<unknown>[] = [];
  const wrapper: CallWrapper = (next) => (req, co) => {
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

describe('client wrappers: one shape, the pass-through inferred', () => {
  it.each([
    ['a plain wrapper', (w: CallWrapper) => w],
    ['one marked with the deprecated passingErrors', (w: CallWrapper) => passingErrors<CallWrapper>(w)],
  ])('%s handing next’s promise back: the caller gets that very promise, answers and MicroErrors unchanged', async (_, as) => {
    const r = returning();
    const p = await pair({ client: { wrappers: { call: [as(r.wrapper), as(r.wrapper)] } }, handlers: h });
    try {
      const call = p.client.call('greeter', 'W.ping', {});
      expect(r.returned).toHaveLength(2);
      expect(call).toBe(r.returned[1]);
      expect(call).toBe(r.returned[0]);
      expect(await call).toBe('pong');
      const err = await p.client.call('greeter', 'W.missing', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroError);
      expect((err as MicroError).code).toBe(404);
    } finally {
      await p.close();
    }
  });

  it('a wrapper that throws at once still reaches the caller as a MicroError', async () => {
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

  it('a wrapper handing back a promise of its own brings the conversion back: its plain rejection becomes a MicroError', async () => {
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

  it('a stream wrapper’s plain rejection reaches the caller as a MicroError', async () => {
    const plain: StreamWrapper = () => () => Promise.reject(new RangeError('no streams today'));
    const p = await pair({ client: { wrappers: { stream: [plain] } }, handlers: h });
    try {
      const err = await p.client.stream('greeter', 'W.ping').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroError);
      expect((err as MicroError).detail).toBe('no streams today');
    } finally {
      await p.close();
    }
  });

  it('publish wrappers take (req, o) like the others; one written as (req) => next(req) still works beside them', async () => {
    const broker = memoryBroker();
    const headers: Record<string, string>[] = [];
    const sub = await broker.subscribe('t.x', (e) => {
      headers.push({ ...e.message.header });
    });
    const current: PublishWrapper = (next) => (req, o) => next(req, { ...o, metadata: { ...o.metadata, current: 'yes' } });
    // The shape before publish took its options as a second argument (typed loosely, as old code is).
    const legacy = ((next: (req: { options: { metadata?: Record<string, string> } }) => Promise<void>) =>
      (req: { options: { metadata?: Record<string, string> } }) =>
        next({ ...req, options: { ...req.options, metadata: { ...req.options.metadata, legacy: 'yes' } } })) as unknown as PublishWrapper;
    const client = createClient({ broker, wrappers: { publish: [current, legacy, current] } });
    try {
      await client.publish('t.x', { n: 1 }, { metadata: { caller: 'yes' } });
      await until(() => headers.length > 0);
      expect(headers).toHaveLength(1);
      const values = Object.entries(headers[0]!).map(([k, v]) => `${k.toLowerCase()}=${v}`);
      for (const k of ['caller', 'current', 'legacy']) expect(values.some((kv) => kv.endsWith(`${k}=yes`))).toBe(true);
    } finally {
      await client.close();
      await sub.unsubscribe();
    }
  });
});
