import { request } from 'node:http';
import type { Context } from '@tsmicro/core';
import { serverStream } from '@tsmicro/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bed, testBed } from './fixture.js';

/** A promise and its resolve, for one event a handler reports. */
function signalled<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Settles with `p`, or rejects after `ms` naming what did not happen. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const untilAborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });

describe('a caller that disconnects cancels its call on the service (mDNS on loopback)', () => {
  let bed: Bed;
  let url: string;
  // Handlers report when they start and why their ctx.signal aborted; one test at a time uses them.
  let started = signalled();
  let cancelled = signalled<unknown>();
  const waiter = {
    wait: async (_req: unknown, ctx: Context) => {
      started.resolve();
      cancelled.resolve(await untilAborted(ctx.signal));
      return {};
    },
    ticks: serverStream(async function* (_req: unknown, ctx: Context) {
      yield { n: 1 };
      started.resolve();
      cancelled.resolve(await untilAborted(ctx.signal));
    }),
  };

  beforeAll(async () => {
    bed = await testBed();
    await bed.startGreeter({ handlers: { Waiter: waiter } });
    // Deadlines far beyond the test's wait: only the disconnect can end the handlers in time.
    ({ url } = await bed.gateway({ client: { timeout: 60_000 } }));
  });
  afterAll(() => bed?.close());

  /** POSTs `{}` to `endpoint` on a socket of its own; `firstBytes` resolves when the reply starts arriving. */
  function open(endpoint: string) {
    const req = request(`${url}/${bed.name}/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      agent: false,
    });
    req.on('error', () => {});
    const firstBytes = new Promise<void>((resolve) => req.on('response', (res) => res.once('data', () => resolve())));
    req.end('{}');
    return { req, firstBytes };
  }

  it('unary: the handler waiting on ctx.signal sees it abort as cancelled (499) soon after the socket is destroyed', async () => {
    started = signalled();
    cancelled = signalled();
    const { req } = open('Waiter.wait');
    await within(started.promise, 5000, 'the handler starting');
    const t0 = Date.now();
    req.destroy();
    const reason = await within(cancelled.promise, 3000, "the handler's ctx.signal aborting after the disconnect");
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(reason).toMatchObject({ code: 499 });
  });

  it('server stream: the handler sees its ctx.signal abort when the caller leaves mid-stream', async () => {
    started = signalled();
    cancelled = signalled();
    const { req, firstBytes } = open('Waiter.ticks');
    await within(firstBytes, 5000, 'the first streamed message');
    await within(started.promise, 5000, 'the handler waiting');
    req.destroy();
    const reason = await within(cancelled.promise, 3000, "the stream handler's ctx.signal aborting after the disconnect");
    expect(reason).toMatchObject({ code: 499 });
  });
});
