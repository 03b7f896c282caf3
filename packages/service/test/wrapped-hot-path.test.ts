import type { CallWrapper } from '@tsmicro/client';
import { MicroError } from '@tsmicro/core';
import type { HandlerWrapper } from '@tsmicro/server';
import { describe, expect, it } from 'vitest';
import { pair } from './fixtures.js';

// A wrapped unary handler is served by the dispatcher's hot path (no `serve` frame): these pin down
// that it still answers, fails, and honours deadlines as the unwrapped one does.
const seen: string[] = [];
const tag: HandlerWrapper = (next) => (req, ctx) => {
  seen.push(ctx.endpoint);
  return next(req, ctx);
};
const throwsAtOnce: HandlerWrapper = () => () => {
  throw new Error('wrapper broke');
};
const clientTag: CallWrapper = (next) => (req, co) => next(req, co);

describe('wrapped unary handlers on the hot path', () => {
  it('answers, passes metadata and maps a handler error', async () => {
    const p = await pair({ server: { wrappers: { handler: [tag] } }, client: { wrappers: { call: [clientTag] } } });
    try {
      const out = await p.client.call('greeter', 'Greeter.hello', { name: 'ada' }, { metadata: { who: 'me' } });
      expect(out).toEqual({ msg: 'hello ada', meta: 'me' });
      expect(seen).toContain('Greeter.hello');
      const e = await p.client.call('greeter', 'Greeter.fail', { kind: 'micro' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(404);
    } finally {
      await p.close();
    }
  });

  it('answers a wrapper that throws synchronously with a 500', async () => {
    const p = await pair({ server: { wrappers: { handler: [throwsAtOnce] } } });
    try {
      const e = await p.client.call('greeter', 'Greeter.hello', { name: 'ada' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(500);
    } finally {
      await p.close();
    }
  });

  it('aborts the wrapped handler on the caller deadline', async () => {
    const p = await pair({ server: { wrappers: { handler: [tag] } } });
    try {
      const e = await p.client.call('greeter', 'Greeter.slow', { ms: 5_000 }, { timeout: 100 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(408);
    } finally {
      await p.close();
    }
  });
});
