import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { unauthorized } from '@tsmicro/core';
import { decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';

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

/** Where verification finds its key: one key, or a key set chosen by the token's `kid` (see `remoteKeySet`). */
export type JwtKeySource = JwtKey | JWTVerifyGetKey;

const isHmac = (alg: string) => alg.startsWith('HS');

function keyFor(alg: JwtAlgorithm, key: JwtKey, side: 'sign' | 'verify'): KeyObject | Uint8Array {
  if (isHmac(alg)) {
    if (typeof key === 'string') return new TextEncoder().encode(key);
    if (key instanceof Uint8Array) return key;
    throw new TypeError(`${alg} needs a secret, not a KeyObject`);
  }
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) return key;
  const pem = typeof key === 'string' ? key : Buffer.from(key);
  return side === 'sign' ? createPrivateKey(pem) : createPublicKey(pem);
}

/** Options of {@link signJwt}. */
export interface SignOptions {
  /** Signature algorithm. Default `'HS256'`. */
  alg?: JwtAlgorithm;
  /** Key id put in the header, so a verifier holding a key set picks the key. Default: none. */
  kid?: string;
  /** Issue time, ms (`iat`). Default `Date.now()`. */
  now?: number;
}

/**
 * Signs `claims` (adds `iat`) with `jose`. For tests, tools and token issuers; services usually only verify.
 * @example const token = await signJwt({ sub: 'ada', exp: nowSec + 600 }, privateKey, { alg: 'ES256', kid: 'k1' })
 */
export async function signJwt(claims: JwtClaims, key: JwtKey, o: SignOptions = {}): Promise<string> {
  const alg = o.alg ?? 'HS256';
  return new SignJWT({ iat: Math.floor((o.now ?? Date.now()) / 1000), ...claims })
    .setProtectedHeader({ alg, typ: 'JWT', ...(o.kid === undefined ? {} : { kid: o.kid }) })
    .sign(keyFor(alg, key, 'sign'));
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

/** The token's `alg`, read before verification so a refusal can name it. */
function algorithmOf(token: string): unknown {
  if (token.split('.').length !== 3) throw unauthorized('malformed token: expected three parts');
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    throw unauthorized('malformed token: unreadable header');
  }
}

/** jose's refusal as a 401 that says why, never echoing the token. */
function refusal(e: unknown, o: VerifyOptions): Error {
  if (e instanceof errors.JWTExpired) return unauthorized('token has expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf') return unauthorized('token is not valid yet');
    if (e.claim === 'aud') return unauthorized(`token audience does not include '${o.audience}'`);
    if (e.claim === 'iss') return unauthorized(`token issuer is not '${o.issuer}'`);
    return unauthorized(`token claim '${e.claim}' is invalid: ${e.reason}`);
  }
  if (e instanceof errors.JWKSNoMatchingKey) return unauthorized('no key in the key set matches the token');
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid)
    return unauthorized(`the key set could not be read (${e.message}); try again`);
  if (e instanceof errors.JWSSignatureVerificationFailed) return unauthorized('token signature is invalid');
  if (e instanceof errors.JWTInvalid || e instanceof errors.JWSInvalid) return unauthorized(`malformed token: ${e.message}`);
  return unauthorized('token signature is invalid');
}

/**
 * Verifies signature, algorithm, `exp`, `nbf`, audience and issuer with `jose`; resolves to the claims
 * or rejects with `unauthorized` saying why (never echoing the token). `key` is one key, or a key set
 * such as {@link remoteKeySet}.
 * @example const claims = await verifyJwt(token, secret, { audience: 'greeter' })
 */
export async function verifyJwt(token: string, key: JwtKeySource, o: VerifyOptions = {}): Promise<JwtClaims> {
  const allowed = o.algorithms ?? ['HS256'];
  const alg = algorithmOf(token);
  if (typeof alg !== 'string' || !allowed.includes(alg as JwtAlgorithm))
    throw unauthorized(`token algorithm '${String(alg)}' is not accepted`);
  const options = {
    algorithms: allowed,
    clockTolerance: o.clockToleranceSec ?? 30,
    currentDate: new Date(o.now ?? Date.now()),
    ...(o.audience === undefined ? {} : { audience: o.audience }),
    ...(o.issuer === undefined ? {} : { issuer: o.issuer }),
  };
  try {
    // A key of the wrong kind for the algorithm (a KeyObject for HS256) is a bad signature, not a crash.
    const { payload } =
      typeof key === 'function'
        ? await jwtVerify(token, key, options)
        : await jwtVerify(token, keyFor(alg as JwtAlgorithm, key, 'verify'), options);
    return payload as JwtClaims;
  } catch (e) {
    throw refusal(e, o);
  }
}
