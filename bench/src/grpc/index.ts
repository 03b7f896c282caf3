import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { createClient } from '@tsmicro/client';
import { json } from '@tsmicro/codec';
import { protobuf } from '@tsmicro/codec/proto';
import { createServer, serverStream } from '@tsmicro/server';
import { grpcTransport } from '@tsmicro/transport/grpc';
import type { EchoClient, EchoServer } from '../echo/target.js';
import type { EchoImpl } from '../protocol.js';
import { EchoReplySchema, EchoRequestSchema, file_bench_echo, StreamRequestSchema, TickSchema } from './gen/bench_echo_pb.js';

/**
 * The gRPC rows (docs/grpc.md): grpc-js client ↔ grpc-js server (the baseline), tsmicro ↔ tsmicro over
 * the gRPC transport (json, and protobuf), and a grpc-js client against the tsmicro gRPC server.
 * grpc-js loads bench_echo.proto with proto-loader, as grpc-js apps do; tsmicro uses the generated schema.
 */

/** Which server and client each gRPC stack runs. */
const STACKS: Partial<Record<EchoImpl, { server: 'grpcjs' | 'tsmicro'; client: 'grpcjs' | 'tsmicro-json' | 'tsmicro-proto' }>> = {
  grpcjs: { server: 'grpcjs', client: 'grpcjs' },
  'tsmicro-grpc': { server: 'tsmicro', client: 'tsmicro-json' },
  'tsmicro-grpc-proto': { server: 'tsmicro', client: 'tsmicro-proto' },
  'grpcjs-tsmicro': { server: 'tsmicro', client: 'grpcjs' },
};

/** True for the stacks of the gRPC rows. */
export const isGrpcImpl = (impl: EchoImpl): boolean => STACKS[impl] !== undefined;

const PROTO = fileURLToPath(new URL('../../proto/bench_echo.proto', import.meta.url));

function grpcJsBench(): grpc.ServiceClientConstructor {
  const def = loader.loadSync(PROTO, { keepCase: true, defaults: true });
  return (grpc.loadPackageDefinition(def) as unknown as { tsmicro: { bench: { v1: { Bench: grpc.ServiceClientConstructor } } } }).tsmicro
    .bench.v1.Bench;
}

const reply = (req: { name?: string; data?: string }) => (req.data ? { msg: '', data: req.data } : { msg: `Hello ${req.name ?? ''}` });

async function startGrpcJs(): Promise<EchoServer> {
  const server = new grpc.Server();
  server.addService(grpcJsBench().service, {
    echo: (call: grpc.ServerUnaryCall<{ name: string; data: string }, unknown>, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, reply(call.request)),
    stream: (call: grpc.ServerWritableStream<{ count: number }, unknown>) => {
      for (let i = 0; i < call.request.count; i++) call.write({ i });
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { address: `grpc://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

async function startTsmicro(keepaliveInterval: number | undefined): Promise<EchoServer> {
  const server = createServer({
    name: 'bench',
    transport: grpcTransport({ schemas: [file_bench_echo], ...(keepaliveInterval === undefined ? {} : { keepaliveInterval }) }),
    codecs: [json, protobuf({ types: [file_bench_echo] })],
  });
  // `Bench` answers protobuf callers (grpc-js, /tsmicro.bench.v1.Bench/Echo), `Json` the json ones.
  server.handle('Bench', {
    echo: (req: { name: string; data: string }) => create(EchoReplySchema, reply(req)),
    stream: serverStream(async function* (req: { count: number }) {
      for (let i = 0; i < req.count; i++) yield create(TickSchema, { i });
    }),
  });
  server.handle('Json', {
    echo: reply,
    stream: serverStream(async function* (req: { count: number }) {
      for (let i = 0; i < req.count; i++) yield { i };
    }),
  });
  await server.start();
  return { address: server.address, close: () => server.stop() };
}

function connectGrpcJs(address: string): EchoClient {
  const Bench = grpcJsBench();
  const c = new Bench(address.replace('grpc://', ''), grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    echo(req: object, cb: (e: Error | null, v: unknown) => void): void;
    stream(req: object): grpc.ClientReadableStream<unknown>;
  };
  return {
    call: (req) => new Promise((resolve, reject) => c.echo(req, (e, v) => (e ? reject(e) : resolve(v)))),
    stream: (count, onItem) =>
      new Promise((resolve, reject) => {
        const s = c.stream({ count });
        s.on('data', onItem);
        s.on('end', resolve);
        s.on('error', reject);
      }),
    close: async () => c.close(),
  };
}

function connectTsmicro(address: string, proto: boolean, timeout: number): EchoClient {
  const client = createClient({
    transport: grpcTransport({ schemas: [file_bench_echo] }),
    dialTimeout: timeout,
    // A liveness ping under valgrind waits far longer than the default second.
    pingTimeout: Math.max(1000, timeout),
    codecs: [json, protobuf({ types: [file_bench_echo] })],
    contentType: proto ? 'application/protobuf' : 'application/json',
  });
  const opts = { address, timeout };
  const handler = proto ? 'tsmicro.bench.v1.Bench' : 'Json';
  const request = (req: Record<string, unknown>) => (proto ? create(EchoRequestSchema, req) : req);
  return {
    call: (req) => client.call('bench', `${handler}.echo`, request(req), opts),
    async stream(count, onItem) {
      const s = await client.stream('bench', `${handler}.stream`, opts);
      await s.send(proto ? create(StreamRequestSchema, { count }) : { count });
      await s.closeSend();
      for await (const _ of s) onItem();
    },
    close: () => client.close(),
  };
}

/**
 * The server of a gRPC stack, on a free loopback port. `keepaliveInterval` is the tsmicro server's
 * (pair.ts turns it off: under valgrind a client's PING answer can take longer than the 10 s timeout).
 */
export async function startGrpcBenchServer(impl: EchoImpl, keepaliveInterval?: number): Promise<EchoServer> {
  return STACKS[impl]?.server === 'grpcjs' ? startGrpcJs() : startTsmicro(keepaliveInterval);
}

/** The client of a gRPC stack; `timeout` bounds a tsmicro client's dial and each call (pair.ts, under valgrind, needs far more). */
export async function connectGrpcBench(impl: EchoImpl, address: string, timeout = 10_000): Promise<EchoClient> {
  const c = STACKS[impl]?.client;
  return c === 'grpcjs' ? connectGrpcJs(address) : connectTsmicro(address, c === 'tsmicro-proto', timeout);
}
