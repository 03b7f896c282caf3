import { create } from '@bufbuild/protobuf';
import { type CallWrapper, createClient } from '@tsmicro/client';
import { type MicroError, silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { tcpTransport } from '@tsmicro/transport';
import { type GrpcTransportOptions, grpcTransport, withGrpc } from '@tsmicro/transport/grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { interopCodecs } from './fixtures.js';
import { type EchoReply, EchoRequestSchema, file_interop } from './gen/interop_pb.js';
import { grpcJsEchoServer } from './grpc-js-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const req = (init: Parameters<typeof create<typeof EchoRequestSchema>>[1]) => create(EchoRequestSchema, init);
const SVC = 'tsmicro.interop.v1.Echo';

/** A stock grpc-js echo server and a tsmicro client for it; `transport` adds to the client's gRPC transport options. */
async function setup(transport: GrpcTransportOptions = {}) {
  const peer = await grpcJsEchoServer();
  const client = createClient({
    transport: grpcTransport({ schemas: [file_interop], package: 'tsmicro.interop.v1', ...transport }),
    codecs: interopCodecs(),
    contentType: 'application/protobuf',
    logger: silentLogger(),
  });
  cleanups.push(
    () => peer.close(),
    () => client.close(),
  );
  return { peer, client, at: { address: peer.address } };
}

describe('a tsmicro client calls a plain grpc-js server', () => {
  it('all four call shapes (protobuf from the generated schema), endpoint Echo.say → /tsmicro.interop.v1.Echo/Say', async () => {
    const { client, at } = await setup();
    expect(await client.call<EchoReply>(SVC, 'Echo.say', req({ text: 'hi', count: 2 }), at)).toMatchObject({ text: 'hihi' });
    // The package may also be named in the endpoint.
    expect(await client.call<EchoReply>(SVC, 'tsmicro.interop.v1.Echo.say', req({ text: 'x' }), at)).toMatchObject({ text: 'x' });

    const count = await client.stream<unknown, EchoReply>(SVC, 'Echo.count', at);
    await count.send(req({ text: 't', count: 3 }));
    await count.closeSend();
    const ticks: number[] = [];
    for await (const m of count) ticks.push(m.n);
    expect(ticks).toEqual([1, 2, 3]);

    const join = await client.stream<unknown, EchoReply>(SVC, 'Echo.join', at);
    for (const text of ['a', 'b', 'c']) await join.send(req({ text }));
    await join.closeSend();
    const joined: EchoReply[] = [];
    for await (const m of join) joined.push(m);
    expect(joined.map((m) => m.text)).toEqual(['a b c']);

    const chat = await client.stream<unknown, EchoReply>(SVC, 'Echo.chat', at);
    const it = chat[Symbol.asyncIterator]();
    for (const text of ['one', 'two']) {
      await chat.send(req({ text }));
      expect((await it.next()).value?.text).toBe(text.toUpperCase());
    }
    await chat.closeSend();
    expect((await it.next()).done).toBe(true);
  });

  it.each(['gzip', 'deflate'] as const)(
    '%s: a client with that compression interoperates with grpc-js (which refuses a compressed message it cannot inflate)',
    async (compression) => {
      const { client, at } = await setup({ compression });
      const text = 'z'.repeat(5000);
      expect(await client.call<EchoReply>(SVC, 'Echo.say', req({ text }), at)).toMatchObject({ text });
    },
  );

  it('application/grpc+json to a grpc-js JSON service', async () => {
    const { client, at } = await setup();
    expect(await client.call('p', 'Plain.say', { text: 'j' }, { ...at, contentType: 'application/json' })).toEqual({ text: 'json j' });
  });

  it('metadata reaches the grpc-js server, -bin values as bytes', async () => {
    const { client, peer, at } = await setup();
    await client.call(SVC, 'Echo.say', req({ text: 'm' }), {
      ...at,
      metadata: { 'x-user': 'alice', 'x-trace-bin': Buffer.from([1, 2, 3]).toString('base64') },
    });
    expect(peer.seen.metadata?.get('x-user')).toEqual(['alice']);
    expect(peer.seen.metadata?.get('x-trace-bin')).toEqual([Buffer.from([1, 2, 3])]);
  });

  it('the call deadline becomes grpc-timeout: a slow answer is a 408, and the grpc-js server sees the call cancelled', async () => {
    const { client, peer, at } = await setup();
    const e = await client
      .call(SVC, 'Echo.say', req({ text: 's', delayMs: 3000 }), { ...at, timeout: 200, retries: 0 })
      .catch((x: MicroError) => x);
    expect((e as MicroError).code).toBe(408);
    await expect.poll(() => peer.seen.cancelled).toBe(1);
  });

  it('aborting the caller’s signal cancels the call on the grpc-js server', async () => {
    const { client, peer, at } = await setup();
    const ac = new AbortController();
    const p = client.call(SVC, 'Echo.say', req({ text: 's', delayMs: 3000 }), { ...at, signal: ac.signal }).catch((x: MicroError) => x);
    await expect.poll(() => peer.seen.calls).toBe(1);
    ac.abort();
    expect(((await p) as MicroError).code).toBe(499);
    await expect.poll(() => peer.seen.cancelled).toBe(1);
  });

  it.each([
    [1, 499],
    [2, 500],
    [3, 400],
    [4, 408],
    [5, 404],
    [6, 409],
    [7, 403],
    [8, 429],
    [9, 400],
    [10, 409],
    [11, 400],
    [12, 404],
    [13, 500],
    [14, 503],
    [15, 500],
    [16, 401],
  ])('gRPC status %i from grpc-js arrives as MicroError %i with its message', async (status, code) => {
    const { client, at } = await setup();
    const e = (await client
      .call(SVC, 'Echo.say', req({ failCode: status }), { ...at, retries: 0 })
      .catch((x: MicroError) => x)) as MicroError;
    expect(e.code).toBe(code);
    expect(e.detail).toBe(`grpc-js failed with status ${status}`);
  });

  it('an error after stream messages arrives after them', async () => {
    const { client, at } = await setup();
    const s = await client.stream<unknown, EchoReply>(SVC, 'Echo.count', at);
    await s.send(req({ text: 'e', count: 2, failCode: 14 }));
    await s.closeSend();
    const got: number[] = [];
    const e = await (async () => {
      for await (const m of s) got.push(m.n);
    })().catch((x: MicroError) => x);
    expect(got).toEqual([1, 2]);
    expect((e as MicroError).code).toBe(503);
  });

  it('with its own registry, selector, retries and wrappers: a dead gRPC node is skipped, grpc:// nodes are dialed over gRPC', async () => {
    const peer = await grpcJsEchoServer();
    const registry = memoryRegistry();
    const name = `grpcjs-${Math.random().toString(36).slice(2, 8)}`;
    await registry.register({
      name,
      version: '1',
      metadata: {},
      endpoints: [],
      nodes: [
        { id: 'dead', address: 'grpc://127.0.0.1:1', metadata: { transport: 'grpc', protocols: 'grpc' } },
        { id: 'live', address: peer.address, metadata: { transport: 'grpc', protocols: 'grpc' } },
      ],
    });
    let wrapped = 0;
    const counting: CallWrapper = (next) => (c, o) => {
      wrapped++;
      return next(c, o);
    };
    const client = createClient({
      transport: withGrpc(tcpTransport(), { schemas: [file_interop], package: 'tsmicro.interop.v1' }),
      registry,
      codecs: interopCodecs(),
      contentType: 'application/protobuf',
      retries: 2,
      wrappers: { call: [counting] },
      logger: silentLogger(),
    });
    cleanups.push(
      () => peer.close(),
      () => client.close(),
      () => registry.close(),
    );
    for (let i = 0; i < 6; i++)
      expect(await client.call<EchoReply>(name, 'Echo.say', req({ text: `r${i}` }))).toMatchObject({ text: `r${i}` });
    expect(wrapped).toBe(6);
    expect(peer.seen.calls).toBe(6);
  });
});
