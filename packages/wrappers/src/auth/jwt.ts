import { createHmac, createPrivateKey, createPublicKey, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';
import { unauthorized } from '@tsmicro/core';

/** Signature algorithms accepted; `none` never is. */
export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'ES256' | 'EdDSA';

/** Registered and custom claims of a token. */
export interface JwtClaims {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  [claim: string]: unknown;
}

/** A key: an HMAC secret (string/bytes) for HS*, a PEM string or KeyObject for RS/ES/EdDSA. */
export type JwtKey = string | Uint8Array | KeyObject;

const hashOf = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512', RS256: 'sha256', ES256: 'sha256', EdDSA: null } as const;

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

function hmac(alg: 'HS256' | 'HS384' | 'HS512', key: JwtKey, data: string): Buffer {
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) throw new TypeError(`${alg} needs a secret, not a KeyObject`);
  return createHmac(hashOf[alg], key).update(data).digest();
}

const ecdsa = { dsaEncoding: 'ieee-p1363' } as const;

/** Signs `claims` (adds `iat`). For tests, tools and token issuers; services usually only verify. */
export function signJwt(claims: JwtClaims, key: JwtKey, alg: JwtAlgorithm = 'HS256', now = Date.now()): string {
  const head = b64url(JSON.stringify({ alg, typ: 'JWT' }));
  const body = b64url(JSON.stringify({ iat: Math.floor(now / 1000), ...claims }));
  const data = `${head}.${body}`;
  let sig: Buffer;
  if (alg === 'HS256' || alg === 'HS384' || alg === 'HS512') sig = hmac(alg, key, data);
  else {
    const k = key instanceof Uint8Array ? createPrivateKey(Buffer.from(key)) : typeof key === 'string' ? createPrivateKey(key) : key;
    sig = sign(hashOf[alg], Buffer.from(data), alg === 'ES256' ? { key: k, ...ecdsa } : k);
  }
  return `${data}.${b64url(sig)}`;
}

/** What a verified token must also satisfy. */
export interface VerifyOptions {
  /** Algorithms accepted (the token's `alg` must be one). Default `['HS256']`. Guards against algorithm confusion. */
  algorithms?: JwtAlgorithm[];
  /** Required audience (one of the token's `aud`). Default: not checked. */
  audience?: string;
  /** Required issuer. Default: not checked. */
  issuer?: string;
  /** Clock skew tolerated on `exp`/`nbf`, seconds. Default 30. */
  clockToleranceSec?: number;
  /** Current time, ms. Default `Date.now()`. */
  now?: number;
}

function parsePart(part: string | undefined, what: string): Record<string, unknown> {
  if (!part) throw unauthorized(`malformed token: missing ${what}`);
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw unauthorized(`malformed token: unreadable ${what}`);
  }
}

function checkSignature(alg: JwtAlgorithm, key: JwtKey, data: string, sig: Buffer): boolean {
  if (alg === 'HS256' || alg === 'HS384' || alg === 'HS512') {
    const want = hmac(alg, key, data);
    return want.length === sig.length && timingSafeEqual(want, sig);
  }
  const k = key instanceof Uint8Array ? createPublicKey(Buffer.from(key)) : typeof key === 'string' ? createPublicKey(key) : key;
  return verify(hashOf[alg], Buffer.from(data), alg === 'ES256' ? { key: k, ...ecdsa } : k, sig);
}

/** Verifies signature, algorithm, `exp`, `nbf`, audience and issuer; returns the claims or throws `unauthorized` saying why (never echoing the token). */
export function verifyJwt(token: string, key: JwtKey, o: VerifyOptions = {}): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw unauthorized('malformed token: expected three parts');
  const [h, p, s] = parts as [string, string, string];
  const header = parsePart(h, 'header');
  const alg = header.alg;
  const allowed = o.algorithms ?? ['HS256'];
  if (typeof alg !== 'string' || !allowed.includes(alg as JwtAlgorithm))
    throw unauthorized(`token algorithm '${String(alg)}' is not accepted`);
  let ok: boolean;
  try {
    ok = checkSignature(alg as JwtAlgorithm, key, `${h}.${p}`, Buffer.from(s, 'base64url'));
  } catch {
    ok = false;
  }
  if (!ok) throw unauthorized('token signature is invalid');
  const claims = parsePart(p, 'payload') as JwtClaims;
  const now = (o.now ?? Date.now()) / 1000;
  const skew = o.clockToleranceSec ?? 30;
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || now > claims.exp + skew)) throw unauthorized('token has expired');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now + skew < claims.nbf)) throw unauthorized('token is not valid yet');
  if (o.audience !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(o.audience)) throw unauthorized(`token audience does not include '${o.audience}'`);
  }
  if (o.issuer !== undefined && claims.iss !== o.issuer) throw unauthorized(`token issuer is not '${o.issuer}'`);
  return claims;
}
