import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { createClient } from '@tsmicro/client';
import { silentLogger } from '@tsmicro/core';
import { grpcTransport } from '@tsmicro/transport/grpc';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { echoServer, interopCodecs } from './fixtures.js';
import { type EchoReply, EchoRequestSchema, file_interop } from './gen/interop_pb.js';
import { grpcJsEchoServer } from './grpc-js-server.js';
import { collect, echoClient, failure, type Reply, unary } from './peers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A throwaway self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tsmicro-grpcs-'));
  const key = join(dir, 'k.pem');
  const cert = join(dir, 'c.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  const out = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  rmSync(dir, { recursive: true, force: true });
  return out;
}

let pem: { key: string; cert: string };
beforeAll(() => {
  pem = selfSigned();
});

describe('gRPC over TLS (grpcs) with stock grpc-js peers', () => {
  it('a grpc-js client with SSL credentials calls a tsmicro server with tls; a plaintext client cannot', async () => {
    const server = await echoServer({ tls: { key: pem.key, cert: pem.cert } });
    cleanups.push(() => server.stop());
    const client = echoClient(server.hostPort, {}, grpc.credentials.createSsl(Buffer.from(pem.cert)));
    cleanups.push(() => client.close());
    expect((await unary<Reply>(client, 'say', { text: 'secret' })).text).toBe('secret');
    expect((await collect<Reply>(client.count({ text: 't', count: 2 }))).map((r) => r.n)).toEqual([1, 2]);

    const plain = echoClient(server.hostPort, {});
    cleanups.push(() => plain.close());
    const err = await failure(unary(plain, 'say', { text: 'x' }, new grpc.Metadata(), { deadline: Date.now() + 2000 }));
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(err.code);
  });

  it('a tsmicro client with tls calls a grpc-js server with SSL credentials, and refuses a certificate it does not trust', async () => {
    const creds = grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(pem.key), cert_chain: Buffer.from(pem.cert) }]);
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
    expect(await client({ ca: pem.cert }).call<EchoReply>('tsmicro.interop.v1.Echo', 'Echo.say', req, at)).toMatchObject({ text: 'tls' });
    const e = await client({})
      .call('tsmicro.interop.v1.Echo', 'Echo.say', req, at)
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 503 });
    expect(String((e as Error).message)).toMatch(/certificate/i);
  });
});
