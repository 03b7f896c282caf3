import { generateKeyPairSync } from 'node:crypto';
import { MicroError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { signJwt, verifyJwt } from './jwt.js';
import { missingRequirements, ruleFor } from './rules.js';

const secret = 'test-secret-of-enough-length-32b!';
const now = Date.UTC(2026, 0, 1);
const sec = now / 1000;

async function refusal(fn: () => Promise<unknown>): Promise<MicroError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MicroError);
    expect((e as MicroError).code).toBe(401);
    return e as MicroError;
  }
  throw new Error('expected the token to be refused');
}

describe('verifyJwt', () => {
  it('accepts a valid HS256 token and returns its claims', async () => {
    const t = await signJwt({ sub: 'u1', aud: 'greeter', iss: 'auth', exp: sec + 60, roles: ['user'] }, secret, { now });
    const claims = await verifyJwt(t, secret, { audience: 'greeter', issuer: 'auth', now });
    expect(claims.sub).toBe('u1');
    expect(claims.roles).toEqual(['user']);
  });
  it('refuses expired, not-yet-valid, wrong audience and wrong issuer tokens', async () => {
    expect((await refusal(async () => verifyJwt(await signJwt({ exp: sec - 120 }, secret), secret, { now }))).detail).toMatch(/expired/);
    expect((await refusal(async () => verifyJwt(await signJwt({ nbf: sec + 120 }, secret), secret, { now }))).detail).toMatch(
      /not valid yet/,
    );
    expect(
      (await refusal(async () => verifyJwt(await signJwt({ aud: 'other' }, secret), secret, { audience: 'greeter', now }))).detail,
    ).toMatch(/audience/);
    expect((await refusal(async () => verifyJwt(await signJwt({ iss: 'evil' }, secret), secret, { issuer: 'auth', now }))).detail).toMatch(
      /issuer/,
    );
  });
  it('refuses forged signatures, tampered payloads and alg=none', async () => {
    const good = await signJwt({ sub: 'u1', roles: ['user'] }, secret);
    expect((await refusal(async () => verifyJwt(await signJwt({ sub: 'u1' }, 'another-secret'), secret))).detail).toMatch(/signature/);
    const [h, , s] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'u1', roles: ['admin'] })).toString('base64url')}.${s}`;
    expect((await refusal(async () => verifyJwt(tampered, secret))).detail).toMatch(/signature/);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    expect((await refusal(async () => verifyJwt(none, secret))).detail).toMatch(/algorithm 'none'/);
    expect((await refusal(async () => verifyJwt('not-a-token', secret))).detail).toMatch(/malformed/);
  });
  it('verifies RS256 and ES256 with public keys and refuses algorithm confusion', async () => {
    for (const [alg, type] of [
      ['RS256', 'rsa'],
      ['ES256', 'ec'],
    ] as const) {
      const { privateKey, publicKey } =
        type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const t = await signJwt({ sub: 'svc' }, privateKey, { alg });
      expect((await verifyJwt(t, publicKey, { algorithms: [alg] })).sub).toBe('svc');
      expect((await refusal(async () => verifyJwt(t, publicKey))).detail).toMatch(/not accepted/);
    }
  });
});

describe('access rules', () => {
  const rules = { 'Greeter.*': ['role:user'], 'Greeter.admin': ['role:admin', 'scope:write'], 'Debug.health': 'public' as const };
  it('picks the most specific pattern', () => {
    expect(ruleFor(rules, 'Greeter.hello')).toEqual(['role:user']);
    expect(ruleFor(rules, 'Greeter.admin')).toEqual(['role:admin', 'scope:write']);
    expect(ruleFor(rules, 'Debug.health')).toBe('public');
    expect(ruleFor(rules, 'Other.x')).toBeUndefined();
    expect(ruleFor({ ...rules, '*': [] }, 'Other.x')).toEqual([]);
  });
  it('lists the requirements a token misses', () => {
    expect(missingRequirements({ roles: ['user'] }, ['role:user'])).toEqual([]);
    expect(missingRequirements({ role: 'admin', scope: 'read write' }, ['role:admin', 'scope:write'])).toEqual([]);
    expect(missingRequirements({ roles: ['user'], scope: 'read' }, ['role:admin', 'scope:write'])).toEqual(['role:admin', 'scope:write']);
    expect(missingRequirements({ tenant: 'a' }, ['claim:tenant=a', 'claim:tenant=b'])).toEqual(['claim:tenant=b']);
  });
});
