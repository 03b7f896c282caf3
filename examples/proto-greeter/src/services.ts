import { type Client, createClient } from '@tsmicro/client';
import { json } from '@tsmicro/codec';
import { protobuf } from '@tsmicro/codec/proto';
import { memoryRegistry, type Registry } from '@tsmicro/registry';
import { createService, type Service } from '@tsmicro/service';
import { type Transport, tcpTransport } from '@tsmicro/transport';
import { file_greeter, Greeter } from './gen/greeter_pb.js';
import { greeter } from './greeter.js';
import { type ProtoClient, protoClient } from './proto-client.js';
import type { ProtoServiceHandlers } from './proto-service.js';

/** The handler map a typed `client.service<GreeterApi>()` needs, derived from the generated descriptor. */
export type GreeterApi = { Greeter: ProtoServiceHandlers<typeof Greeter> };
/** The typed client of greeter.proto's Greeter: requests as message inits. */
export type GreeterClient = ProtoClient<typeof Greeter>;

/**
 * The greeter service speaking `application/protobuf` over tcp on 127.0.0.1, and a client of it.
 * Default registry: a fresh memory registry (both sides share it). `close()` stops both.
 */
export async function startGreeter(o: { transport?: Transport; registry?: Registry } = {}): Promise<{
  service: Service;
  client: Client;
  greeter: GreeterClient;
  close(): Promise<void>;
}> {
  const transport = o.transport ?? tcpTransport();
  const registry = o.registry ?? memoryRegistry();
  const codecs = [protobuf({ types: [file_greeter] }), json];
  const service = createService({ name: 'proto-greeter', transport, registry, codecs, contentType: 'application/protobuf' });
  service.handle(Greeter.name, greeter);
  await service.start();
  const client = createClient({ transport, registry, codecs, contentType: 'application/protobuf' });
  return {
    service,
    client,
    greeter: protoClient(client, 'proto-greeter', Greeter),
    async close() {
      await client.close();
      await service.stop();
      if (!o.registry) await registry.close();
    },
  };
}
