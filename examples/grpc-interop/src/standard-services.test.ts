import { randomUUID } from 'node:crypto';
import { create, createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type * as grpc from '@grpc/grpc-js';
import { memoryBroker } from '@tsmicro/broker';
import { silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { createService } from '@tsmicro/service';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonEcho, protoEcho } from './echo.js';
import { echoServer, interopCodecs } from './fixtures.js';
import { file_interop } from './gen/interop_pb.js';
import { echoClient, failure, healthClient, reflectionClient, unary } from './peers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function service() {
  const registry = memoryRegistry();
  const name = `interop-std-${randomUUID().slice(0, 8)}`;
  const svc = createService({
    name,
    registry,
    broker: memoryBroker(),
    logger: silentLogger(),
    codecs: interopCodecs(),
    gracePeriod: 1000,
    grpc: { schemas: [file_interop] },
  });
  svc.handle('Echo', protoEcho);
  svc.handle('Plain', jsonEcho);
  await svc.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await svc.stop();
  };
  cleanups.push(stop);
  return { svc, name, registry, stop, target: svc.server.address };
}

type HealthReply = { status: string };

describe('one service, one port: tsmicro tcp and gRPC side by side', () => {
  it('registers both protocols, answers a tsmicro client over tcp and a grpc-js client on the same port', async () => {
    const { svc, name, registry, target } = await service();
    const [rec] = await registry.getService(name);
    expect(rec?.nodes[0]).toMatchObject({ address: target, metadata: { transport: 'tcp', protocols: 'tsmicro,grpc' } });
    expect(await svc.client.call(name, 'Plain.say', { text: 'tcp' })).toMatchObject({ text: 'tcp' });
    const g = echoClient(target);
    cleanups.push(() => g.close());
    expect((await unary(g, 'say', { text: 'grpc' })).text).toBe('grpc');
  });
});

describe('grpc.health.v1.Health with the stock health.proto (grpc-health-check)', () => {
  it('Check: SERVING for the server, the service name and its gRPC services; NOT_FOUND for another', async () => {
    const { name, target } = await service();
    const h = healthClient(target);
    cleanups.push(() => h.close());
    for (const s of ['', name, 'tsmicro.interop.v1.Echo'])
      expect(await unary<HealthReply>(h, 'check', { service: s })).toEqual({ status: 'SERVING' });
    expect((await failure(unary(h, 'check', { service: 'nope' }))).code).toBe(5);
  });

  it('Watch: SERVING, then NOT_SERVING as soon as a graceful stop begins, then the stream ends', async () => {
    const { target, stop } = await service();
    const h = healthClient(target);
    cleanups.push(() => h.close());
    const watch = (h as unknown as { watch(r: object): grpc.ClientReadableStream<HealthReply> }).watch({ service: '' });
    const seen: string[] = [];
    const ended = new Promise<void>((resolve) => {
      watch.on('error', () => resolve());
      watch.on('end', () => resolve());
    });
    watch.on('data', (m: HealthReply) => seen.push(m.status));
    await expect.poll(() => seen).toEqual(['SERVING']);
    await stop();
    await ended;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
  });
});

type ReflectionReply = {
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  allExtensionNumbersResponse?: { baseTypeName: string; extensionNumber: number[] };
  errorResponse?: { errorCode: number };
};

/** A proto2 file with a message open to extensions and one extension of it: `extend Base { optional string note = 100; }`. */
function extensionFile() {
  const proto = create(FileDescriptorProtoSchema, {
    name: 'ext.proto',
    package: 'tsmicro.ext.v1',
    syntax: 'proto2',
    messageType: [{ name: 'Base', extensionRange: [{ start: 100, end: 200 }] }],
    extension: [
      {
        name: 'note',
        number: 100,
        label: FieldDescriptorProto_Label.OPTIONAL,
        type: FieldDescriptorProto_Type.STRING,
        extendee: '.tsmicro.ext.v1.Base',
      },
    ],
  });
  const file = createFileRegistry(proto, () => undefined).getFile('ext.proto');
  if (!file) throw new Error('ext.proto did not build');
  return file;
}

function ask(client: grpc.Client, req: object): Promise<ReflectionReply> {
  const call = (client as unknown as { serverReflectionInfo(): grpc.ClientDuplexStream<object, ReflectionReply> }).serverReflectionInfo();
  return new Promise((resolve, reject) => {
    call.on('data', (m: ReflectionReply) => {
      resolve(m);
      call.end();
    });
    call.on('error', reject);
    call.write(req);
  });
}

describe('server reflection (v1 and v1alpha) with @grpc/reflection’s reflection.proto', () => {
  it.each(['v1', 'v1alpha'] as const)('%s: lists the services and returns the file of a symbol and of a file name', async (version) => {
    const { target } = await service();
    const r = reflectionClient(target, version);
    cleanups.push(() => r.close());
    const list = await ask(r, { listServices: '*' });
    const names = list.listServicesResponse?.service.map((s) => s.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['tsmicro.interop.v1.Echo', 'grpc.health.v1.Health']));
    for (const req of [
      { fileContainingSymbol: 'tsmicro.interop.v1.Echo' },
      { fileContainingSymbol: 'tsmicro.interop.v1.EchoReply' },
      { fileByFilename: 'interop.proto' },
    ]) {
      const files = (await ask(r, req)).fileDescriptorResponse?.fileDescriptorProto ?? [];
      const fd = fromBinary(FileDescriptorProtoSchema, files[0] ?? new Uint8Array());
      expect(fd.name).toBe('interop.proto');
      expect(fd.service.map((s) => s.name)).toEqual(['Echo']);
    }
    expect((await ask(r, { fileContainingSymbol: 'no.Such' })).errorResponse?.errorCode).toBe(5);
  });
});

describe('server reflection: extension queries', () => {
  it.each(['v1', 'v1alpha'] as const)('%s: all_extension_numbers_of_type and file_containing_extension are answered', async (version) => {
    const server = await echoServer({ schemas: [file_interop, extensionFile()] });
    cleanups.push(() => server.stop());
    const r = reflectionClient(server.hostPort, version);
    cleanups.push(() => r.close());
    // A type with no extensions: an empty list, not an error.
    expect((await ask(r, { allExtensionNumbersOfType: 'tsmicro.interop.v1.EchoReply' })).allExtensionNumbersResponse).toEqual({
      baseTypeName: 'tsmicro.interop.v1.EchoReply',
      extensionNumber: [],
    });
    expect((await ask(r, { allExtensionNumbersOfType: 'tsmicro.ext.v1.Base' })).allExtensionNumbersResponse?.extensionNumber).toEqual([
      100,
    ]);
    const files = (await ask(r, { fileContainingExtension: { containingType: 'tsmicro.ext.v1.Base', extensionNumber: 100 } }))
      .fileDescriptorResponse?.fileDescriptorProto;
    expect(fromBinary(FileDescriptorProtoSchema, files?.[0] ?? new Uint8Array()).name).toBe('ext.proto');
    const none = await ask(r, { fileContainingExtension: { containingType: 'tsmicro.ext.v1.Base', extensionNumber: 101 } });
    expect(none.errorResponse?.errorCode).toBe(5);
    expect((await ask(r, { allExtensionNumbersOfType: 'no.Such' })).errorResponse?.errorCode).toBe(5);
  });
});
