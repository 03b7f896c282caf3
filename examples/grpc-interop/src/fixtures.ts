import { randomUUID } from 'node:crypto';
import { json } from '@tsmicro/codec';
import { protobuf } from '@tsmicro/codec/proto';
import { createServer, type HandlerWrapper, type Server } from '@tsmicro/server';
import { type GrpcTransportOptions, grpcTransport } from '@tsmicro/transport/grpc';
import { jsonEcho, protoEcho } from './echo.js';
import { file_interop } from './gen/interop_pb.js';

/** Codecs of a tsmicro peer of interop.proto: protobuf (for `application/grpc`) and json. */
export const interopCodecs = () => [protobuf({ types: [file_interop] }), json];

/** A tsmicro server speaking gRPC with `Echo` (protobuf) and `Plain` (json); a unique name per test. */
export async function echoServer(o: GrpcTransportOptions & { wrappers?: HandlerWrapper[] } = {}): Promise<Server & { hostPort: string }> {
  const { wrappers, ...to } = o;
  const transport = grpcTransport({ schemas: [file_interop], ...to });
  const server = createServer({
    name: `interop-${randomUUID().slice(0, 8)}`,
    transport,
    codecs: interopCodecs(),
    gracePeriod: 2000,
    ...(wrappers ? { wrappers: { handler: wrappers } } : {}),
  });
  server.handle('Echo', protoEcho);
  server.handle('Plain', jsonEcho);
  await server.start();
  return Object.assign(server, { hostPort: server.address.replace('grpc://', '') });
}
