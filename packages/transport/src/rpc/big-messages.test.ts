import type { MicroError } from '@tsmicro/core';
import { afterEach, describe, expect, it } from 'vitest';
import { throttledRelay } from '../../test/tcp-helpers.js';
import { type TcpTransportOptions, tcpTransport } from '../tcp/index.js';
import type { Socket } from '../transport.js';
import { H } from './headers.js';
import { createMux, type Mux } from './mux.js';
import type { RpcStream } from './stream.js';

const MiB = 1024 * 1024;

/** Server handlers: `upload` answers the request's size, `download` answers 5 MB, `collect` answers the sizes a stream sent. */
function serve(s: RpcStream, request: { header: Record<string, string>; body: Uint8Array }): void {
  const ep = request.header[H.endpoint];
  if (ep === 'download') void s.sendLast(Buffer.alloc(5 * MiB, 1)).catch(() => undefined);
  else if (ep === 'collect')
    void (async () => {
      const sizes: number[] = [];
      for (let m = await s.recv(); m !== undefined; m = await s.recv()) sizes.push(m.byteLength);
      await s.sendLast(Buffer.from(sizes.join(',')));
    })().catch(() => undefined);
  else void s.sendLast(Buffer.from(String(request.body.byteLength))).catch(() => undefined);
}

/** Resolves with the answer as text, or rejects with the call's error. */
function call(mux: Mux, endpoint: string, body: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    mux.call({ [H.service]: 'big', [H.endpoint]: endpoint }, body, {
      resolved: (b) => resolve(Buffer.from(b).toString()),
      failed: (e: MicroError) => reject(e),
    });
  });
}

describe('large messages on one connection (protocol version 2)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function connect(o: TcpTransportOptions = {}, relay?: (address: string) => Promise<string>): Promise<Mux> {
    const t = tcpTransport({ maxMessageSize: 8 * MiB, ...o });
    const l = await t.listen('127.0.0.1:0');
    cleanups.push(() => l.close());
    l.accept((s) => createMux(s, { onRequest: serve }));
    const mux = createMux(await t.dial(relay ? await relay(l.address) : l.address));
    cleanups.push(() => mux.close());
    return mux;
  }

  it('answers a small call issued while a 5 MB request is being sent, before that request has finished', async () => {
    const mux = await connect();
    const order: string[] = [];
    const big = call(mux, 'upload', Buffer.alloc(5 * MiB, 2)).then((r) => order.push(`big ${r}`));
    // One turn of the event loop: the first parts of the big request are on the wire.
    await new Promise((r) => setImmediate(r));
    const small = call(mux, 'upload', Buffer.from('hi')).then((r) => order.push(`small ${r}`));
    await Promise.all([big, small]);
    expect(order).toEqual(['small 2', `big ${5 * MiB}`]);
  });

  it('answers a small call while a 5 MB response is being sent on the same connection', async () => {
    const mux = await connect();
    const order: string[] = [];
    const big = call(mux, 'download', Buffer.from('x')).then((r) => order.push(`big ${r.length}`));
    const small = call(mux, 'upload', Buffer.from('hi')).then((r) => order.push(`small ${r}`));
    await Promise.all([big, small]);
    expect(order).toEqual(['small 2', `big ${5 * MiB}`]);
  });

  it('keeps the order within one call id while other calls overtake a large message', async () => {
    const t = tcpTransport({ maxMessageSize: 8 * MiB });
    const l = await t.listen('127.0.0.1:0');
    cleanups.push(() => l.close());
    const accepted = new Promise<Socket>((r) => l.accept(r));
    const c = await t.dial(l.address);
    cleanups.push(() => c.close());
    const s = await accepted;
    const m = (id: string, size: number) => ({ header: { [H.id]: id, n: String(size) }, body: Buffer.alloc(size) });
    // Not awaited one by one: all are queued at once, as a stream's data, data, end would be.
    const sent = Promise.all([c.send(m('5', 3 * MiB)), c.send(m('5', 3)), c.send(m('5', 2 * MiB)), c.send(m('5', 0)), c.send(m('6', 1))]);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await s.recv();
      got.push(`${r.header[H.id]}:${r.body.byteLength}`);
    }
    await sent;
    expect(got).toEqual(['6:1', `5:${3 * MiB}`, '5:3', `5:${2 * MiB}`, '5:0']);
  });

  it('carries a 3.5 MB message over a slow link that takes 7× frameTimeout, and fails no other call', async () => {
    const relays: Array<{ close(): Promise<void> }> = [];
    cleanups.push(async () => {
      for (const r of relays) await r.close();
    });
    // 1 MB/s uplink: the message takes about 3.5 s; frameTimeout is 500 ms.
    const mux = await connect({ frameTimeout: 500 }, async (address) => {
      const r = await throttledRelay(address, 1_000_000);
      relays.push(r);
      return r.address;
    });
    const size = Math.round(3.5 * MiB);
    let done = false;
    const big = call(mux, 'upload', Buffer.alloc(size, 3)).finally(() => {
      done = true;
    });
    const small: Array<Promise<string>> = [];
    while (!done) {
      small.push(call(mux, 'upload', Buffer.from('ping')));
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await big).toBe(String(size));
    expect(small.length).toBeGreaterThan(5);
    expect(await Promise.all(small)).toEqual(small.map(() => '4'));
  }, 30_000);
});
