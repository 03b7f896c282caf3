import * as grpc from '@grpc/grpc-js';
import type { HandlerWrapper } from '@tsmicro/server';
import { afterEach, describe, expect, it } from 'vitest';
import { echoServer } from './fixtures.js';
import { echoClient, type Reply } from './peers.js';
import { jsonCall } from './raw-h2.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const COST = Buffer.from([0, 1, 2, 250]);

/** Every handler sets trailers through its ctx: one before it runs, one after (a later key overwrites). */
const setsTrailers: HandlerWrapper = (next) => (req, ctx) => {
  ctx.setTrailer({ 'X-Served-By': 'first', 'x-cost-bin': COST.toString('base64') });
  ctx.setTrailer({ 'x-served-by': 'tsmicro' });
  return next(req, ctx);
};

async function setup() {
  const server = await echoServer({ wrappers: [setsTrailers] });
  const client = echoClient(server.hostPort);
  cleanups.push(
    () => server.stop(),
    () => client.close(),
  );
  return client;
}

/** The status (code and trailing metadata) a grpc-js call ended with. */
function statusOf(call: grpc.Call): Promise<grpc.StatusObject> {
  return new Promise((resolve) => call.on('status', resolve));
}

function expectTrailers(md: grpc.Metadata): void {
  expect(md.get('x-served-by')).toEqual(['tsmicro']);
  expect(md.get('x-cost-bin')).toEqual([COST]);
}

describe('handlers set response trailers (ctx.setTrailer), a stock grpc-js client reads them with the status', () => {
  it('unary: on success and on failure (a trailers-only response)', async () => {
    const client = await setup();
    const ok = client.say({ text: 'hi' }, () => {});
    const okStatus = await statusOf(ok);
    expect(okStatus.code).toBe(grpc.status.OK);
    expectTrailers(okStatus.metadata);

    const bad = client.say({ text: 'hi', failCode: 403 }, () => {});
    const badStatus = await statusOf(bad);
    expect(badStatus.code).toBe(grpc.status.PERMISSION_DENIED);
    expectTrailers(badStatus.metadata);
  });

  it('server stream: after the last message, and after an error that follows messages', async () => {
    const client = await setup();
    const count = client.count({ text: 't', count: 3 });
    const got: Reply[] = [];
    count.on('data', (m: Reply) => got.push(m));
    const status = await statusOf(count);
    expect(got.map((m) => m.n)).toEqual([1, 2, 3]);
    expect(status.code).toBe(grpc.status.OK);
    expectTrailers(status.metadata);

    const failing = client.count({ text: 't', count: 3, failCode: 503 });
    failing.on('data', () => {});
    failing.on('error', () => {});
    const failed = await statusOf(failing);
    expect(failed.code).toBe(grpc.status.UNAVAILABLE);
    expectTrailers(failed.metadata);
  });

  it('json (application/grpc+json) through the same path', async () => {
    const server = await echoServer({ wrappers: [setsTrailers] });
    cleanups.push(() => server.stop());
    const r = await jsonCall(server.hostPort, '/tsmicro.interop.v1.Plain/Say', { text: 'j' });
    expect(r.values).toEqual([expect.objectContaining({ text: 'j' })]);
    expect(r.trailers['x-served-by']).toBe('tsmicro');
    expect(r.trailers['grpc-status']).toBe('0');
  });
});
