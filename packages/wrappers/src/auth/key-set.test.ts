import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MicroError } from '@tsmicro/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt, verifyJwt } from './jwt.js';
import { remoteKeySet } from './key-set.js';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

function newKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

/** A real JWKS endpoint on loopback whose key set the test rotates, counting fetches. */
describe('remoteKeySet against a JWKS endpoint over HTTP', () => {
  let published: SigningKey[] = [newKey('k1')];
  let fetches = 0;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const token = (k: SigningKey, sub = 'ada') =>
    signJwt({ sub, exp: Math.floor(Date.now() / 1000) + 60 }, k.privateKey, { alg: 'ES256', kid: k.kid });

  it('verifies with a fetched key, caches it, and picks up a rotated key on an unknown kid', async () => {
    const keys = remoteKeySet(url, { cooldownMs: 0 });
    const first = published[0] as SigningKey;
    expect((await verifyJwt(await token(first), keys, { algorithms: ['ES256'] })).sub).toBe('ada');
    expect((await verifyJwt(await token(first), keys, { algorithms: ['ES256'] })).sub).toBe('ada');
    expect(fetches).toBe(1);

    const second = newKey('k2');
    published = [first, second];
    expect((await verifyJwt(await token(second, 'bob'), keys, { algorithms: ['ES256'] })).sub).toBe('bob');
    expect(fetches).toBe(2);
  });

  it('refuses a token signed by a key the set does not hold, saying so', async () => {
    const keys = remoteKeySet(url, { cooldownMs: 0 });
    const stranger = newKey('k9');
    const err = await verifyJwt(await token(stranger, 'eve'), keys, { algorithms: ['ES256'] }).catch((e: MicroError) => e);
    expect(err).toMatchObject({ code: 401, detail: expect.stringMatching(/no key in the key set/) });
  });
});
