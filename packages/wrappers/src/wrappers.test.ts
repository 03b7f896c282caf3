import type { CallWrapper } from '@tsmicro/client';
import { type Context, MicroError } from '@tsmicro/core';
import type { HandlerWrapper } from '@tsmicro/server';
import { describe, expect, it } from 'vitest';
import { rejection, startPair } from '../test/fixture.js';
import { combineWrappers } from './wrapper-set.js';

describe('wrapper mechanics over a real client and server', () => {
  it('runs the first listed wrapper outermost, on the server and on the client', async () => {
    const trail: string[] = [];
    const sw =
      (n: string): HandlerWrapper =>
      (next) =>
      async (req, ctx) => {
        trail.push(`s${n}>`);
        const out = await next(req, ctx);
        trail.push(`<s${n}`);
        return out;
      };
    const cw =
      (n: string): CallWrapper =>
      (next) =>
      async (req, o) => {
        trail.push(`c${n}>`);
        const out = await next(req, o);
        trail.push(`<c${n}`);
        return out;
      };
    const p = await startPair({
      handlers: { G: { hi: async () => trail.push('handler') } },
      server: { wrappers: { handler: [sw('1'), sw('2')] } },
      client: { wrappers: { call: [cw('1'), cw('2')] } },
    });
    try {
      await p.client.call('greeter', 'G.hi', {});
      expect(trail).toEqual(['c1>', 'c2>', 's1>', 's2>', 'handler', '<s2', '<s1', '<c2', '<c1']);
    } finally {
      await p.close();
    }
  });

  it('turns a throwing server wrapper into a MicroError at the caller, and a wrapper can short-circuit', async () => {
    let ran = 0;
    const boom: HandlerWrapper = (next) => async (req, ctx) => {
      if (ctx.endpoint === 'G.boom') throw new Error('wrapper exploded');
      if (ctx.endpoint === 'G.cached') return { cached: true };
      return next(req, ctx);
    };
    const p = await startPair({
      handlers: { G: { boom: async () => ran++, cached: async () => ran++ } },
      server: { wrappers: { handler: [boom] } },
    });
    try {
      const e = await rejection(p.client.call('greeter', 'G.boom', {}));
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(500);
      expect((e as MicroError).detail).toBe('wrapper exploded');
      expect((e as MicroError).id).toBe('greeter');
      expect(await p.client.call('greeter', 'G.cached', {})).toEqual({ cached: true });
      expect(ran).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('lets a client wrapper see the request and response and rewrite metadata', async () => {
    const seen: unknown[] = [];
    const tag: CallWrapper = (next) => async (req, o) => {
      const res = await next(req, { ...o, metadata: { ...o.metadata, who: 'wrapper' } });
      seen.push(req.service, req.endpoint, req.body, res);
      return res;
    };
    const p = await startPair({
      handlers: { G: { who: async (_req: unknown, ctx: Context) => ctx.metadata.who } },
      client: { wrappers: combineWrappers({ call: tag }) },
    });
    try {
      expect(await p.client.call('greeter', 'G.who', { x: 1 })).toBe('wrapper');
      expect(seen).toEqual(['greeter', 'G.who', { x: 1 }, 'wrapper']);
    } finally {
      await p.close();
    }
  });
});
