import type { CallWrapper } from '@tsmicro/client';
import { type Context, MicroError } from '@tsmicro/core';
import type { HandlerWrapper } from '@tsmicro/server';
import { describe, expect, it } from 'vitest';
import { pair, until } from './fixtures.js';

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

  it("a caller's cancel aborts a wrapped handler still running after its first turn", async () => {
    let entered = false;
    let aborted: unknown;
    const p = await pair({
      server: { wrappers: { handler: [tag] } },
      handlers: {
        H: {
          async hang(_req: unknown, ctx: Context) {
            entered = true;
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
            aborted = ctx.signal.reason;
            return 1;
          },
        },
      },
    });
    try {
      const ac = new AbortController();
      const call = p.client.call('greeter', 'H.hang', {}, { signal: ac.signal }).catch((x: unknown) => x);
      await until(() => entered);
      ac.abort();
      expect(((await call) as MicroError).code).toBe(499);
      await until(() => aborted !== undefined);
      expect((aborted as MicroError).code).toBe(499);
    } finally {
      await p.close();
    }
  });

  it('stop() waits for a wrapped call still in flight, then answers it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered = false;
    const p = await pair({
      server: { wrappers: { handler: [tag] } },
      handlers: {
        H: {
          async held() {
            entered = true;
            await gate;
            return 'done';
          },
        },
      },
    });
    try {
      const call = p.client.call('greeter', 'H.held', {});
      await until(() => entered);
      let stopped = false;
      const stopping = p.server.stop().then(() => {
        stopped = true;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(stopped).toBe(false);
      release();
      expect(await call).toBe('done');
      await stopping;
      expect(stopped).toBe(true);
    } finally {
      release();
      await p.close();
    }
  });
});
