import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { memoryBroker } from '@tsmicro/broker';
import { createClient } from '@tsmicro/client';
import { silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { createServer } from '@tsmicro/server';
import { createService } from '@tsmicro/service';
import { tcpTransport } from '@tsmicro/transport';
import { grpcTransport, tcpWithGrpc } from '@tsmicro/transport/grpc';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../../../packages/transport/test/tls-certs.js';
import { jsonEcho, protoEcho } from './echo.js';
import { echoServer, interopCodecs } from './fixtures.js';
import { type EchoReply, EchoRequestSchema, file_interop } from './gen/interop_pb.js';
import { grpcJsEchoServer } from './grpc-js-server.js';
import { collect, echoClient, failure, type Reply, unary } from './peers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// A throwaway CA and a server certificate for 127.0.0.1/localhost, as the tcp TLS tests use.
let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

describe('gRPC over TLS (grpcs) with stock grpc-js peers', () => {
  it('a grpc-js client with SSL credentials calls a tsmicro server with tls; a plaintext client cannot', async () => {
    const server = await echoServer({ tls: { key: pki.serverKey, cert: pki.serverCert } });
    cleanups.push(() => server.stop());
    const client = echoClient(server.hostPort, {}, grpc.credentials.createSsl(Buffer.from(pki.ca)));
    cleanups.push(() => client.close());
    expect((await unary<Reply>(client, 'say', { text: 'secret' })).text).toBe('secret');
    expect((await collect<Reply>(client.count({ text: 't', count: 2 }))).map((r) => r.n)).toEqual([1, 2]);

    const plain = echoClient(server.hostPort, {});
    cleanups.push(() => plain.close());
    const err = await failure(unary(plain, 'say', { text: 'x' }, new grpc.Metadata(), { deadline: Date.now() + 2000 }));
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(err.code);
  });

  it('a tsmicro client with tls calls a grpc-js server with SSL credentials, and refuses a certificate it does not trust', async () => {
    const creds = grpc.ServerCredentials.createSsl(null, [
      { private_key: Buffer.from(pki.serverKey), cert_chain: Buffer.from(pki.serverCert) },
    ]);
    const peer = await grpcJsEchoServer(creds);
    cleanups.push(() => peer.close());
    const client = (tls: { ca?: string }) => {
      const c = createClient({
        transport: grpcTransport({ schemas: [file_interop], package: 'tsmicro.interop.v1', tls }),
        codecs: interopCodecs(),
        contentType: 'application/protobuf',
        logger: silentLogger(),
      });
      cleanups.push(() => c.close());
      return c;
    };
    const req = create(EchoRequestSchema, { text: 'tls' });
    const at = { address: peer.address, retries: 0 };
    expect(await client({ ca: pki.ca }).call<EchoReply>('tsmicro.interop.v1.Echo', 'Echo.say', req, at)).toMatchObject({ text: 'tls' });
    const e = await client({})
      .call('tsmicro.interop.v1.Echo', 'Echo.say', req, at)
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 503 });
    expect(String((e as Error).message)).toMatch(/certificate/i);
  });

  it('one port with TLS (tcpWithGrpc): a grpc-js client with SSL and a tsmicro tcp client with tls both call it; plaintext peers of either kind fail fast', async () => {
    const tls = { key: pki.serverKey, cert: pki.serverCert };
    const name = `tls-one-port-${Math.random().toString(36).slice(2, 8)}`;
    const server = createServer({
      name,
      transport: tcpWithGrpc({ tcp: { tls }, grpc: { schemas: [file_interop] } }),
      codecs: interopCodecs(),
      gracePeriod: 2000,
    });
    server.handle('Echo', protoEcho);
    server.handle('Plain', jsonEcho);
    await server.start();
    cleanups.push(() => server.stop());
    expect(server.address).not.toMatch(/^grpc:/);

    const grpcJs = echoClient(server.address, {}, grpc.credentials.createSsl(Buffer.from(pki.ca)));
    cleanups.push(() => grpcJs.close());
    expect((await unary<Reply>(grpcJs, 'say', { text: 'over grpcs' })).text).toBe('over grpcs');
    expect((await collect<Reply>(grpcJs.count({ text: 't', count: 3 }))).map((r) => r.n)).toEqual([1, 2, 3]);

    const tsmicro = (o: { tls?: { ca: string } }) => {
      const c = createClient({ transport: tcpTransport(o), logger: silentLogger() });
      cleanups.push(() => c.close());
      return c;
    };
    const at = { address: server.address, retries: 0, timeout: 3000 };
    expect(await tsmicro({ tls: { ca: pki.ca } }).call<{ text: string }>(name, 'Plain.say', { text: 'over tls' }, at)).toMatchObject({
      text: 'over tls',
    });

    const plainGrpc = echoClient(server.address, {});
    cleanups.push(() => plainGrpc.close());
    const err = await failure(unary(plainGrpc, 'say', { text: 'x' }, new grpc.Metadata(), { deadline: Date.now() + 2000 }));
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(err.code);
    const started = Date.now();
    const e = await tsmicro({})
      .call(name, 'Plain.say', { text: 'x' }, at)
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 503 });
    expect(Date.now() - started).toBeLessThan(2900);
  });

  it('createService({ grpc: { tls } }): the service serves both protocols inside TLS and its own client calls it by name over TLS', async () => {
    const name = `tls-svc-${Math.random().toString(36).slice(2, 8)}`;
    const svc = createService({
      name,
      registry: memoryRegistry(),
      broker: memoryBroker(),
      logger: silentLogger(),
      codecs: interopCodecs(),
      gracePeriod: 1000,
      grpc: { schemas: [file_interop], tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca } },
    });
    svc.handle('Echo', protoEcho);
    svc.handle('Plain', jsonEcho);
    await svc.start();
    cleanups.push(() => svc.stop());
    expect(await svc.client.call<{ text: string }>(name, 'Plain.say', { text: 'by name' }, { retries: 0 })).toMatchObject({
      text: 'by name',
    });
    const grpcJs = echoClient(svc.server.address, {}, grpc.credentials.createSsl(Buffer.from(pki.ca)));
    cleanups.push(() => grpcJs.close());
    expect((await unary<Reply>(grpcJs, 'say', { text: 'grpcs' })).text).toBe('grpcs');
  });
});
