import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';

/** interop.proto, loaded the way any grpc-js app loads a .proto (proto-loader, no generated code). */
export const PROTO_PATH = fileURLToPath(new URL('../proto/interop.proto', import.meta.url));

const LOAD = { keepCase: false, longs: Number, enums: String, defaults: true } as const;

/** The grpc-js client constructor and service definition of `tsmicro.interop.v1.Echo`, from the .proto file. */
export function echoConstructor(): grpc.ServiceClientConstructor {
  const def = loader.loadSync(PROTO_PATH, LOAD);
  const pkg = grpc.loadPackageDefinition(def) as unknown as { tsmicro: { interop: { v1: { Echo: grpc.ServiceClientConstructor } } } };
  return pkg.tsmicro.interop.v1.Echo;
}

const require = createRequire(import.meta.url);

/** A grpc-js client of `grpc.health.v1.Health`, from grpc-health-check's own health.proto. */
export function healthClient(target: string): grpc.Client {
  const { protoPath } = require('grpc-health-check') as { protoPath: string };
  const def = loader.loadSync(protoPath, LOAD);
  const Health = (grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } })
    .grpc.health.v1.Health;
  return new Health(target, grpc.credentials.createInsecure());
}

/** A grpc-js client of `grpc.reflection.<version>.ServerReflection`, from @grpc/reflection's reflection.proto. */
export function reflectionClient(target: string, version: 'v1' | 'v1alpha'): grpc.Client {
  const root = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
  const def = loader.loadSync(join(root, `grpc/reflection/${version}/reflection.proto`), { ...LOAD, includeDirs: [root] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
  };
  const ServerReflection = pkg.grpc.reflection[version]?.ServerReflection as grpc.ServiceClientConstructor;
  return new ServerReflection(target, grpc.credentials.createInsecure());
}

/** What the interop service answers, as grpc-js (proto-loader) decodes it. */
export interface Reply {
  text: string;
  metadata: string[];
  n: number;
}
type Callback<T> = (e: grpc.ServiceError | null, v: T) => void;

/** The grpc-js client of `tsmicro.interop.v1.Echo` as proto-loader builds it. */
export interface EchoClient extends grpc.Client {
  say(req: object, md: grpc.Metadata, o: grpc.CallOptions, cb: Callback<Reply>): grpc.ClientUnaryCall;
  say(req: object, cb: Callback<Reply>): grpc.ClientUnaryCall;
  count(req: object, md?: grpc.Metadata, o?: grpc.CallOptions): grpc.ClientReadableStream<Reply>;
  join(cb: Callback<Reply>): grpc.ClientWritableStream<object>;
  chat(md?: grpc.Metadata, o?: grpc.CallOptions): grpc.ClientDuplexStream<object, Reply>;
}

/** A grpc-js client of the interop service at `target` (`host:port`), plaintext unless given other `credentials`. */
export function echoClient(target: string, options: grpc.ClientOptions = {}, credentials = grpc.credentials.createInsecure()): EchoClient {
  const Echo = echoConstructor();
  return new Echo(target, credentials, options) as unknown as EchoClient;
}

/** Promisified unary call of a grpc-js client: `method` names one of its unary methods. */
export function unary<T = Reply>(
  client: grpc.Client,
  method: string,
  req: unknown,
  md = new grpc.Metadata(),
  o: grpc.CallOptions = {},
): Promise<T> {
  const fn = (client as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
  if (!fn) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) => {
    fn.call(client, req, md, o, (e: grpc.ServiceError | null, v: T) => (e ? reject(e) : resolve(v)));
  });
}

/** The error a grpc-js call failed with (fails the test when it succeeded). */
export async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (e) {
    return e as grpc.ServiceError;
  }
  throw new Error('the call succeeded; it should have failed');
}

/** Collects a readable stream of a grpc-js call. */
export async function collect<T>(stream: AsyncIterable<unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of stream) out.push(m as T);
  return out;
}
