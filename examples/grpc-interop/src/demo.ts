import { create } from '@bufbuild/protobuf';
import { createClient } from '@tsmicro/client';
import { silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { createService } from '@tsmicro/service';
import { grpcTransport } from '@tsmicro/transport/grpc';
import { jsonEcho, protoEcho } from './echo.js';
import { interopCodecs } from './fixtures.js';
import { type EchoReply, EchoRequestSchema, file_interop } from './gen/interop_pb.js';
import { grpcJsEchoServer } from './grpc-js-server.js';
import { collect, echoClient, unary } from './peers.js';

/**
 * Both directions, end to end: (1) a tsmicro service serving tsmicro's protocol and gRPC on one port,
 * called by a plain grpc-js client built from interop.proto; (2) a tsmicro client calling a plain grpc-js
 * server. Returns what each side answered; `log` prints along the way.
 * @example await runDemo(console.log)
 */
export async function runDemo(log: (line: string) => void = () => {}): Promise<{ fromTsmicro: string[]; fromGrpcJs: string[] }> {
  const registry = memoryRegistry();
  const svc = createService({
    name: `interop-demo-${process.pid}`,
    registry,
    logger: silentLogger(),
    codecs: interopCodecs(),
    grpc: { schemas: [file_interop] },
  });
  svc.handle('Echo', protoEcho);
  svc.handle('Plain', jsonEcho);
  await svc.start();
  const target = svc.server.address;
  log(`tsmicro service ${svc.name} serves tsmicro and gRPC on ${target}`);
  const g = echoClient(target);
  const fromTsmicro: string[] = [];
  try {
    fromTsmicro.push((await unary(g, 'say', { text: 'hello from grpc-js' })).text);
    for (const m of await collect<{ text: string; n: number }>(g.count({ text: 'tick', count: 3 }))) fromTsmicro.push(`${m.text} ${m.n}`);
  } finally {
    g.close();
    await svc.stop();
    await registry.close();
  }
  for (const line of fromTsmicro) log(`  grpc-js client got: ${line}`);

  const peer = await grpcJsEchoServer();
  log(`plain grpc-js server on ${peer.address}`);
  const client = createClient({
    transport: grpcTransport({ schemas: [file_interop], package: 'tsmicro.interop.v1' }),
    codecs: interopCodecs(),
    contentType: 'application/protobuf',
  });
  const fromGrpcJs: string[] = [];
  try {
    const at = { address: peer.address };
    const r = await client.call<EchoReply>('echo', 'Echo.say', create(EchoRequestSchema, { text: 'hello from tsmicro' }), at);
    fromGrpcJs.push(r.text);
    const chat = await client.stream<unknown, EchoReply>('echo', 'Echo.chat', at);
    for (const text of ['one', 'two']) await chat.send(create(EchoRequestSchema, { text }));
    await chat.closeSend();
    for await (const m of chat) fromGrpcJs.push(`${m.text} ${m.n}`);
  } finally {
    await client.close();
    await peer.close();
  }
  for (const line of fromGrpcJs) log(`  tsmicro client got: ${line}`);
  return { fromTsmicro, fromGrpcJs };
}
