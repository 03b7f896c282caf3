import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';

/** interop.proto, loaded the way any grpc-js app loads a .proto (proto-loader, no generated code). */
export const PROTO_PATH = fileURLToPath(new URL('../proto/interop.proto', import.meta.url));

/** The grpc-js client constructor of `tsmicro.interop.v1.Echo`, from the .proto file. */
export function echoClientConstructor(): grpc.ServiceClientConstructor {
  const def = loader.loadSync(PROTO_PATH, { keepCase: false, longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { tsmicro: { interop: { v1: { Echo: grpc.ServiceClientConstructor } } } };
  return pkg.tsmicro.interop.v1.Echo;
}

