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
export function healthClient(target: string): grpc.Client & Record<string, Function> {
  const { protoPath } = require('grpc-health-check') as { protoPath: string };
  const def = loader.loadSync(protoPath, LOAD);
  const Health = (grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } }).grpc
    .health.v1.Health;
  return new Health(target, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>;
}

/** A grpc-js client of `grpc.reflection.<version>.ServerReflection`, from @grpc/reflection's reflection.proto. */
export function reflectionClient(target: string, version: 'v1' | 'v1alpha'): grpc.Client & Record<string, Function> {
  const root = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
  const def = loader.loadSync(join(root, `grpc/reflection/${version}/reflection.proto`), { ...LOAD, includeDirs: [root] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> } };
  const ServerReflection = pkg.grpc.reflection[version]?.ServerReflection as grpc.ServiceClientConstructor;
  return new ServerReflection(target, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>;
}

/** Promisified unary call of a grpc-js client. */
export function unary<T>(client: grpc.Client & Record<string, Function>, method: string, req: unknown, md = new grpc.Metadata(), o: grpc.CallOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    (client[method] as Function).call(client, req, md, o, (e: grpc.ServiceError | null, v: T) => (e ? reject(e) : resolve(v)));
  });
}

/** Collects a readable stream of a grpc-js call. */
export async function collect<T>(stream: AsyncIterable<unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of stream) out.push(m as T);
  return out;
}
