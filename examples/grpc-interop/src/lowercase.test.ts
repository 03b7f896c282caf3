import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { createClient } from '@tsmicro/client';
import { json } from '@tsmicro/codec';
import { protobuf } from '@tsmicro/codec/proto';
import { silentLogger } from '@tsmicro/core';
import { createServer, serverStream } from '@tsmicro/server';
import { grpcTransport } from '@tsmicro/transport/grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { file_lowercase, type HelloReply, HelloReplySchema, type HelloRequest, HelloRequestSchema } from './gen/lowercase_pb.js';
import { jsonMethod } from './grpc-js-server.js';
import { collect } from './peers.js';

/** lowercase.proto spells its methods lower-case: `rpc sayHello`, `rpc listHellos`. */
const PROTO = fileURLToPath(new URL('../proto/lowercase.proto', import.meta.url));
const PKG = 'tsmicro.interop.lower';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function greeterConstructor(): grpc.ServiceClientConstructor {
  const def = loader.loadSync(PROTO, { defaults: true });
  return (grpc.loadPackageDefinition(def) as unknown as { tsmicro: { interop: { lower: { Greeter: grpc.ServiceClientConstructor } } } })
    .tsmicro.interop.lower.Greeter;
}

/** A stock grpc-js server of lowercase.proto, and a JSON method `/tsmicro.interop.lower.Plain/sayHello`. */
async function grpcJsServer(): Promise<string> {
  const server = new grpc.Server();
  server.addService(greeterConstructor().service, {
    sayHello: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, { message: `hello ${call.request.name}` }),
    listHellos: (call: grpc.ServerWritableStream<{ name: string }, unknown>) => {
      for (const n of [1, 2]) call.write({ message: `${call.request.name} ${n}` });
      call.end();
    },
  });
  server.addService(
    { sayHello: jsonMethod(`/${PKG}.Plain/sayHello`) },
    {
      sayHello: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, cb: grpc.sendUnaryData<unknown>) =>
        cb(null, { message: `json ${call.request.name}` }),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  cleanups.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  return `grpc://127.0.0.1:${port}`;
}

function tsmicroClient(pkg?: string) {
  const client = createClient({
    transport: grpcTransport({ schemas: [file_lowercase], ...(pkg ? { package: pkg } : {}) }),
    codecs: [protobuf({ types: [file_lowercase] }), json],
    contentType: 'application/protobuf',
    logger: silentLogger(),
  });
  cleanups.push(() => client.close());
  return client;
}

describe('gRPC methods spelled lower-case (rpc sayHello)', () => {
  it('a tsmicro client calls them on a stock grpc-js server: by the schema, with or without the package option', async () => {
    const address = await grpcJsServer();
    for (const client of [tsmicroClient(), tsmicroClient(PKG)]) {
      const r = await client.call<HelloReply>('lower', 'Greeter.sayHello', create(HelloRequestSchema, { name: 'ada' }), { address });
      expect(r.message).toBe('hello ada');
      const s = await client.stream<HelloRequest, HelloReply>('lower', 'Greeter.listHellos', { address });
      await s.send(create(HelloRequestSchema, { name: 'bob' }));
      await s.closeSend();
      expect((await collect<HelloReply>(s)).map((m) => m.message)).toEqual(['bob 1', 'bob 2']);
    }
    const named = tsmicroClient();
    const r = await named.call<HelloReply>('lower', `${PKG}.Greeter.sayHello`, create(HelloRequestSchema, { name: 'cy' }), { address });
    expect(r.message).toBe('hello cy');
  });

  it('without a schema (json), an endpoint that is the gRPC path goes as it is', async () => {
    const address = await grpcJsServer();
    const client = tsmicroClient();
    const r = await client.call('lower', `/${PKG}.Plain/sayHello`, { name: 'dee' }, { address, contentType: 'application/json' });
    expect(r).toEqual({ message: 'json dee' });
  });

  it('a stock grpc-js client of the same .proto calls a tsmicro service (handler methods sayHello, listHellos)', async () => {
    const server = createServer({
      name: 'lower',
      transport: grpcTransport({ schemas: [file_lowercase] }),
      codecs: [protobuf({ types: [file_lowercase] }), json],
    });
    server.handle('Greeter', {
      sayHello: (req: HelloRequest) => create(HelloReplySchema, { message: `tsmicro ${req.name}` }),
      listHellos: serverStream(async function* (req: HelloRequest) {
        yield create(HelloReplySchema, { message: `${req.name} once` });
      }),
    });
    await server.start();
    cleanups.push(() => server.stop());
    const Greeter = greeterConstructor();
    const c = new Greeter(server.address.replace('grpc://', ''), grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      sayHello(req: object, cb: (e: grpc.ServiceError | null, v: { message: string }) => void): void;
      listHellos(req: object): grpc.ClientReadableStream<{ message: string }>;
    };
    cleanups.push(() => c.close());
    const r = await new Promise<{ message: string }>((resolve, reject) =>
      c.sayHello({ name: 'eve' }, (e, v) => (e ? reject(e) : resolve(v))),
    );
    expect(r.message).toBe('tsmicro eve');
    expect((await collect<{ message: string }>(c.listHellos({ name: 'fay' }))).map((m) => m.message)).toEqual(['fay once']);
  });
});
