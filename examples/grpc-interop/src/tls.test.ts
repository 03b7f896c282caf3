import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { createClient } from '@tsmicro/client';
import { silentLogger } from '@tsmicro/core';
import { grpcTransport } from '@tsmicro/transport/grpc';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../../../packages/transport/test/tls-certs.js';
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
});
