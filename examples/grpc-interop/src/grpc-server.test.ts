import { connect as netConnect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { HandlerWrapper } from '@tsmicro/server';
import { afterEach, describe, expect, it } from 'vitest';
import { echoServer } from './fixtures.js';
import { collect, echoClient, failure, type Reply, unary } from './peers.js';
import { jsonCall, rawRequest } from './raw-h2.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(o: Parameters<typeof echoServer>[0] = {}) {
  const server = await echoServer(o);
  const client = echoClient(server.hostPort);
  cleanups.push(
    () => server.stop(),
    () => client.close(),
  );
  return { server, client };
}

describe('a stock grpc-js client (proto-loader) calls a tsmicro service over gRPC', () => {
  it('all four call shapes, with metadata (including -bin keys) reaching ctx.metadata', async () => {
    const { client } = await setup();
    const md = new grpc.Metadata();
    md.set('x-user', 'alice');
    md.set('x-trace-bin', Buffer.from([1, 2, 3]));
    const r = await unary(client, 'say', { text: 'hi' }, md);
    expect(r.text).toBe('hi');
    expect(r.metadata).toContain('x-user=alice');
    expect(r.metadata).toContain(`x-trace-bin=${Buffer.from([1, 2, 3]).toString('base64').replace(/=+$/, '')}`);

    const ticks = await collect<Reply>(client.count({ text: 't', count: 3 }));
    expect(ticks.map((t) => t.n)).toEqual([1, 2, 3]);

    const joined = await new Promise<Reply>((resolve, reject) => {
      const call = client.join((e, v) => (e ? reject(e) : resolve(v)));
      for (const text of ['a', 'b', 'c']) call.write({ text });
      call.end();
    });
    expect(joined).toMatchObject({ text: 'a b c', n: 3 });

    const chat = client.chat();
    const answers: Reply[] = [];
    chat.on('data', (m: Reply) => answers.push(m));
    const ended = new Promise((resolve) => chat.on('end', resolve));
    chat.write({ text: 'one' });
    chat.write({ text: 'two' });
    chat.end();
    await ended;
    expect(answers.map((a) => a.text)).toEqual(['ONE', 'TWO']);
  });

  it('a bidi call answers each message before the client sends the next (no buffering until end of stream)', async () => {
    const { client } = await setup();
    const chat = client.chat();
    const next = () => new Promise<Reply>((resolve) => chat.once('data', resolve));
    for (const text of ['a', 'b', 'c']) {
      const got = next();
      chat.write({ text });
      expect((await got).text).toBe(text.toUpperCase());
    }
    chat.end();
  });

  it('grpc-timeout becomes the handler deadline: DEADLINE_EXCEEDED, and the handler is aborted', async () => {
    let aborted: unknown;
    const spy: HandlerWrapper = (next) => async (req, ctx) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = ctx.signal.reason;
      });
      expect(ctx.deadline).toBeGreaterThan(Date.now());
      return next(req, ctx);
    };
    const { client } = await setup({ wrappers: [spy] });
    const err = await failure(unary(client, 'say', { text: 'slow', delayMs: 5000 }, new grpc.Metadata(), { deadline: Date.now() + 150 }));
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await expect.poll(() => aborted).toMatchObject({ code: 408 });
  });

  it('a client cancel (RST_STREAM) aborts the handler', async () => {
    let aborted: unknown;
    const spy: HandlerWrapper = (next) => async (req, ctx) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = ctx.signal.reason;
      });
      return next(req, ctx);
    };
    const { client } = await setup({ wrappers: [spy] });
    const call = client.say({ text: 'slow', delayMs: 5000 }, () => {});
    await new Promise((r) => setTimeout(r, 100));
    call.cancel();
    await expect.poll(() => aborted).toMatchObject({ code: 499 });
  });

  it.each([
    [400, grpc.status.INVALID_ARGUMENT],
    [401, grpc.status.UNAUTHENTICATED],
    [403, grpc.status.PERMISSION_DENIED],
    [404, grpc.status.NOT_FOUND],
    [408, grpc.status.DEADLINE_EXCEEDED],
    [409, grpc.status.ALREADY_EXISTS],
    [413, grpc.status.RESOURCE_EXHAUSTED],
    [429, grpc.status.RESOURCE_EXHAUSTED],
    [499, grpc.status.CANCELLED],
    [500, grpc.status.INTERNAL],
    [503, grpc.status.UNAVAILABLE],
    [504, grpc.status.DEADLINE_EXCEEDED],
    [418, grpc.status.UNKNOWN],
  ])('MicroError %i reaches the grpc-js client as status %i with its detail', async (code, status) => {
    const { client } = await setup();
    const err = await failure(unary(client, 'say', { failCode: code }));
    expect(err.code).toBe(status);
    expect(err.details).toBe(`asked to fail with ${code}`);
  });

  it('an error after some stream messages arrives after them', async () => {
    const { client } = await setup();
    const got: Reply[] = [];
    const call = client.count({ text: 'x', count: 3, failCode: 503 });
    call.on('data', (m: Reply) => got.push(m));
    const err = await new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(got.map((m) => m.n)).toEqual([1]);
  });

  it('an unknown method is UNIMPLEMENTED (protobuf path without schema, and a json endpoint the server lacks)', async () => {
    const { server } = await setup();
    const Generic = grpc.makeGenericClientConstructor(
      {
        nope: {
          path: '/tsmicro.interop.v1.Echo/Nope',
          requestStream: false,
          responseStream: false,
          requestSerialize: (b: Buffer) => b,
          requestDeserialize: (b: Buffer) => b,
          responseSerialize: (b: Buffer) => b,
          responseDeserialize: (b: Buffer) => b,
        },
      },
      'Generic',
    );
    const g = new Generic(server.hostPort, grpc.credentials.createInsecure());
    cleanups.push(() => g.close());
    const err = await failure(unary(g, 'nope', Buffer.alloc(0)));
    expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
    const j = await jsonCall(server.hostPort, '/x.Nope/Say', {});
    expect(j.grpcStatus).toBe(grpc.status.UNIMPLEMENTED);
    expect(j.grpcMessage).toContain("no endpoint 'Nope.say'");
  });

  it('serves any handler as application/grpc+json, mapping /pkg.Plain/Say to Plain.say', async () => {
    const { server } = await setup();
    const j = await jsonCall(server.hostPort, '/tsmicro.interop.v1.Plain/Say', { text: 'json' }, { 'x-k': 'v', 'grpc-timeout': '2S' });
    expect(j.headers['content-type']).toBe('application/grpc+json');
    expect(j.grpcStatus).toBe(0);
    expect(j.values).toEqual([{ text: 'json', metadata: ['x-k=v'] }]);
  });

  it('oversize messages are refused with RESOURCE_EXHAUSTED both ways, and the server keeps serving', async () => {
    const { client } = await setup({ maxMessageSize: 1024 });
    const big = await failure(unary(client, 'say', { text: 'x'.repeat(5000) }));
    expect(big.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // A reply over the limit (the text repeated 20 times) cannot be sent: the caller is told so.
    const reply = await failure(unary(client, 'say', { text: 'y'.repeat(100), count: 20 }));
    expect(reply.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(reply.details).toContain('larger than max');
    expect((await unary<Reply>(client, 'say', { text: 'ok' })).text).toBe('ok');
  });

  it('a non-gRPC HTTP/2 request gets a plain HTTP answer (405, 415), and garbage on the port only closes that connection', async () => {
    const { server, client } = await setup();
    const get = await rawRequest(server.hostPort, { ':method': 'GET', ':path': '/' });
    expect(get.status).toBe(405);
    expect(get.body.toString()).toContain('gRPC');
    const text = await rawRequest(server.hostPort, { ':path': '/tsmicro.interop.v1.Echo/Say', 'content-type': 'text/plain' }, [
      Buffer.from('hi'),
    ]);
    expect(text.status).toBe(415);
    const [host, port] = [server.hostPort.slice(0, server.hostPort.lastIndexOf(':')), Number(server.hostPort.split(':').pop())];
    const closed = await new Promise<boolean>((resolve) => {
      const s = netConnect({ host, port }, () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff garbage garbage'));
      s.on('error', () => {});
      s.on('data', () => {});
      s.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 5000).unref();
    });
    expect(closed).toBe(true);
    expect((await unary<Reply>(client, 'say', { text: 'still here' })).text).toBe('still here');
  });

  it('gzip: a compressed request is read and, when the server compresses, the reply is gzip', async () => {
    const { server } = await setup({ compression: 'gzip' });
    const gz = echoClient(server.hostPort, { 'grpc.default_compression_algorithm': 2 });
    cleanups.push(() => gz.close());
    expect((await unary<Reply>(gz, 'say', { text: 'z'.repeat(2000) })).text).toBe('z'.repeat(2000));
    const j = await jsonCall(server.hostPort, '/p.Plain/Say', { text: 'q' }, { 'grpc-accept-encoding': 'gzip' });
    expect(j.headers['grpc-encoding']).toBe('gzip');
    const snappy = await jsonCall(server.hostPort, '/p.Plain/Say', { text: 'q' }, { 'grpc-encoding': 'snappy' });
    expect(snappy.grpcStatus).toBe(grpc.status.UNIMPLEMENTED);
    expect(snappy.trailers['grpc-accept-encoding']).toBe('identity,gzip,deflate');
  });

  it('deflate: a grpc-js client compressing with deflate is read, and a server with compression: deflate answers deflated', async () => {
    const { server } = await setup({ compression: 'deflate' });
    const df = echoClient(server.hostPort, { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.deflate });
    cleanups.push(() => df.close());
    const text = 'd'.repeat(3000);
    expect((await unary<Reply>(df, 'say', { text })).text).toBe(text);
    const j = await jsonCall(server.hostPort, '/p.Plain/Say', { text: 'q' }, { 'grpc-accept-encoding': 'identity,deflate' });
    expect(j.headers['grpc-encoding']).toBe('deflate');
    expect(j.values).toEqual([{ text: 'q', metadata: [] }]);
  });

  it('an error before any message is a trailers-only response (grpc-status in the one HEADERS frame, no body)', async () => {
    const { server } = await setup();
    for (const [path, req] of [
      ['/p.Plain/Say', { failCode: 403 }],
      ['/p.Nope/Say', {}],
    ] as const) {
      const j = await jsonCall(server.hostPort, path, req);
      expect(j.headers['grpc-status']).toBe(String(path === '/p.Nope/Say' ? grpc.status.UNIMPLEMENTED : grpc.status.PERMISSION_DENIED));
      expect(j.body.byteLength).toBe(0);
    }
  });

  it('answers the HTTP/2 keepalive pings of a grpc-js client: its connection stays READY through many pings', async () => {
    const { server } = await setup();
    const ka = echoClient(server.hostPort, {
      'grpc.keepalive_time_ms': 50,
      'grpc.keepalive_timeout_ms': 300,
      'grpc.keepalive_permit_without_calls': 1,
    });
    cleanups.push(() => ka.close());
    expect((await unary<Reply>(ka, 'say', { text: 'a' })).text).toBe('a');
    const channel = ka.getChannel();
    const states: grpc.connectivityState[] = [];
    const watch = (from: grpc.connectivityState) =>
      channel.watchConnectivityState(from, Date.now() + 60_000, () => {
        const now = channel.getConnectivityState(false);
        states.push(now);
        if (now !== grpc.connectivityState.SHUTDOWN) watch(now);
      });
    watch(channel.getConnectivityState(false));
    // About 20 keepalive intervals: an unanswered ping would drop the connection after 300 ms.
    await new Promise((r) => setTimeout(r, 1000));
    expect(states).toEqual([]);
    expect(channel.getConnectivityState(false)).toBe(grpc.connectivityState.READY);
    expect((await unary<Reply>(ka, 'say', { text: 'b' })).text).toBe('b');
  });

  it('server keepalive: a connection that stops answering PINGs is closed; a grpc-js client answering them is kept', async () => {
    const { server, client } = await setup({ keepaliveInterval: 50, keepaliveTimeout: 200 });
    expect((await unary<Reply>(client, 'say', { text: 'a' })).text).toBe('a');
    const [host, port] = [server.hostPort.slice(0, server.hostPort.lastIndexOf(':')), Number(server.hostPort.split(':').pop())];
    // An HTTP/2 client preface and empty SETTINGS, then silence: this peer never acknowledges a PING.
    const mute = netConnect({ host, port }, () => {
      mute.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    });
    mute.on('error', () => {});
    mute.on('data', () => {});
    const t0 = Date.now();
    const closed = await new Promise<boolean>((resolve) => {
      mute.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 5000).unref();
    });
    expect(closed).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    const channel = client.getChannel();
    expect(channel.getConnectivityState(false)).toBe(grpc.connectivityState.READY);
    expect((await unary<Reply>(client, 'say', { text: 'b' })).text).toBe('b');
  });
});
