import { createClient } from '@tsmicro/client';
import type { Context, MicroError } from '@tsmicro/core';
import { serverStream } from '@tsmicro/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, type Pair, rejection, startPair } from '../../test/fixture.js';
import { logging } from '../logging/logging.js';
import { bearerToken } from './bearer.js';
import { signJwt } from './jwt.js';
import { claimsOf, jwtAuth } from './jwt-auth.js';

const secret = 'auth-test-secret-0123456789abcdef';
const sec = () => Math.floor(Date.now() / 1000);
const user = await signJwt({ sub: 'ada', aud: 'greeter', roles: ['user'], exp: sec() + 600 }, secret);
const admin = await signJwt({ sub: 'root', aud: 'greeter', roles: ['user', 'admin'], exp: sec() + 600 }, secret);
const expired = await signJwt({ sub: 'ada', aud: 'greeter', roles: ['user'], exp: sec() - 3600 }, secret);
const forged = await signJwt({ sub: 'ada', aud: 'greeter', roles: ['admin'], exp: sec() + 600 }, 'not-the-secret-0123456789abcdefgh');
const wrongAudience = await signJwt({ sub: 'ada', aud: 'billing', roles: ['user'], exp: sec() + 600 }, secret);

const greeter = {
  async hello(_req: unknown, ctx: Context) {
    return { sub: claimsOf(ctx)?.sub ?? null };
  },
  async admin(_req: unknown, ctx: Context) {
    return { sub: claimsOf(ctx)?.sub ?? null };
  },
  count: serverStream(async function* (_req: unknown, ctx: Context) {
    yield claimsOf(ctx)?.sub ?? null;
  }),
};
const debug = {
  async health() {
    return { status: 'ok' };
  },
};

describe('bearerToken + jwtAuth over a real client and server', () => {
  const log = captureLogger('trace');
  let p: Pair;
  beforeAll(async () => {
    const logs = logging({ logger: log.logger });
    p = await startPair({
      handlers: { Greeter: greeter, Debug: debug },
      server: {
        logger: log.logger,
        wrappers: {
          handler: [
            logs.handler,
            jwtAuth({
              key: secret,
              audience: 'greeter',
              rules: { 'Greeter.*': ['role:user'], 'Greeter.admin': ['role:admin'], 'Debug.health': 'public' },
            }),
          ],
        },
      },
      client: { logger: log.logger, wrappers: { call: [logs.call] } },
    });
  });
  afterAll(() => p.close());

  const call = (endpoint: string, token?: string) =>
    p.client.call<{ sub: string | null }>(
      'greeter',
      endpoint,
      {},
      token === undefined ? {} : { metadata: { authorization: `Bearer ${token}` } },
    );
  const code = async (endpoint: string, token?: string) => ((await rejection(call(endpoint, token))) as MicroError).code;

  it('lets a valid token through and hands the claims to the handler', async () => {
    expect(await call('Greeter.hello', user)).toEqual({ sub: 'ada' });
  });

  it('keeps the claims on each call ctx: concurrent callers each read theirs, an unseen ctx has none', async () => {
    const got = await Promise.all([
      call('Greeter.hello', user),
      call('Greeter.admin', admin),
      call('Greeter.hello', admin),
      call('Greeter.hello', user),
    ]);
    expect(got.map((r) => r.sub)).toEqual(['ada', 'root', 'root', 'ada']);
    expect(claimsOf({} as Context)).toBeUndefined();
  });

  it('sends the token from bearerToken() on calls and streams, fetching it per call with getToken', async () => {
    let fetched = 0;
    const auth = bearerToken({
      getToken: async () => {
        fetched++;
        return admin;
      },
    });
    const c = createClient({ transport: p.transport, registry: p.registry, wrappers: { call: [auth.call], stream: [auth.stream] } });
    try {
      expect(await c.call('greeter', 'Greeter.admin', {})).toEqual({ sub: 'root' });
      const s = await c.stream('greeter', 'Greeter.count');
      await s.send({});
      await s.closeSend();
      const got: unknown[] = [];
      for await (const m of s) got.push(m);
      expect(got).toEqual(['root']);
      expect(fetched).toBe(2);
    } finally {
      await c.close();
    }
  });

  it('refuses missing, malformed, expired, forged and wrong-audience tokens with 401', async () => {
    expect(await code('Greeter.hello')).toBe(401);
    expect(await code('Greeter.hello', 'garbage')).toBe(401);
    expect(await code('Greeter.hello', expired)).toBe(401);
    expect(await code('Greeter.hello', forged)).toBe(401);
    expect(await code('Greeter.hello', wrongAudience)).toBe(401);
    const e = (await rejection(call('Greeter.hello', expired))) as MicroError;
    expect(e.detail).toMatch(/expired/);
  });

  it('refuses a valid token lacking a role with 403 naming the requirement; public endpoints need no token', async () => {
    const e = (await rejection(call('Greeter.admin', user))) as MicroError;
    expect(e.code).toBe(403);
    expect(e.detail).toBe('Greeter.admin requires role:admin');
    expect(await call('Greeter.admin', admin)).toEqual({ sub: 'root' });
    expect(await p.client.call('greeter', 'Debug.health', {})).toEqual({ status: 'ok' });
  });

  it('never writes a token to the logs', async () => {
    await rejection(call('Greeter.admin', user));
    await rejection(call('Greeter.hello', forged));
    const text = log.text();
    expect(text).toContain('call refused');
    expect(text).toContain('"code":401');
    for (const t of [user, admin, expired, forged, wrongAudience, secret]) expect(text).not.toContain(t);
    expect(text).not.toMatch(/Bearer \S/);
  });
});

describe('jwtAuth default policy', () => {
  it("'deny' refuses endpoints no rule names; 'authenticated' only needs a valid token", async () => {
    const p = await startPair({
      handlers: { A: { x: async () => 1 }, B: { y: async () => 2 } },
      server: { wrappers: { handler: [jwtAuth({ key: secret, rules: { 'A.*': [] }, defaultPolicy: 'deny' })] } },
    });
    try {
      const md = { metadata: { authorization: `Bearer ${user}` } };
      expect(await p.client.call('greeter', 'A.x', {}, md)).toBe(1);
      expect(((await rejection(p.client.call('greeter', 'B.y', {}, md))) as MicroError).code).toBe(403);
    } finally {
      await p.close();
    }
  });
});
