import type { Context, Logger } from '@tsmicro/core';
import { forbidden, isMicroError, unauthorized } from '@tsmicro/core';
import type { HandlerWrapper } from '@tsmicro/server';
import { type JwtAlgorithm, type JwtClaims, type JwtKeySource, verifyJwt } from './jwt.js';
import { type AccessRules, missingRequirements, ruleFor } from './rules.js';

/** What happens at an endpoint no rule matches. */
export type DefaultPolicy = 'authenticated' | 'deny' | 'public';

/** Options of {@link jwtAuth}. */
export interface JwtAuthOptions {
  /** HMAC secret (HS*), public key (RS256/ES256/EdDSA), or a key set such as `remoteKeySet(jwksUrl)`. Required. */
  key: JwtKeySource;
  /** Accepted algorithms. Default `['HS256']`. */
  algorithms?: JwtAlgorithm[];
  /** Required `aud`. Default: not checked. */
  audience?: string;
  /** Required `iss`. Default: not checked. */
  issuer?: string;
  /** Per-endpoint requirements, see {@link AccessRules}. Default `{}`. */
  rules?: AccessRules;
  /** Endpoints no rule matches: `'authenticated'` (any valid token), `'deny'` (403) or `'public'`. Default `'authenticated'`. */
  defaultPolicy?: DefaultPolicy;
  /** Seconds of clock skew tolerated. Default 30. */
  clockToleranceSec?: number;
  /** Refusals are logged at debug here (reason and endpoint, never the token). Default: the handler's `ctx.logger`. */
  logger?: Logger;
}

/**
 * Where the verified claims ride on the call's ctx: a property of the ctx (like tracing's span
 * context) keeps no table at module level, and the claims go when the call's ctx does.
 */
const claimsKey = Symbol('tsmicro.jwtClaims');
type Authenticated = { [claimsKey]?: JwtClaims };

/**
 * The verified claims of the call `ctx` belongs to, or `undefined` on a public endpoint.
 * @example const user = claimsOf(ctx)?.sub
 */
export function claimsOf(ctx: Context): JwtClaims | undefined {
  return (ctx as Authenticated)[claimsKey];
}

function bearerOf(ctx: Context): string {
  const h = ctx.metadata.authorization;
  if (h === undefined) throw unauthorized(`${ctx.endpoint} needs a bearer token (metadata 'authorization')`);
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m?.[1]) throw unauthorized(`${ctx.endpoint}: the 'authorization' metadata is not 'Bearer <token>'`);
  return m[1];
}

/**
 * Server handler wrapper: verifies the caller's JWT (signature, algorithm, expiry, audience,
 * issuer), then the endpoint's rule. Refuses with `unauthorized` (401, bad or missing token) or
 * `forbidden` (403, naming the missing requirements). Claims are then available via `claimsOf(ctx)`.
 * @example jwtAuth({ key: secret, audience: 'greeter', rules: { 'Greeter.*': ['role:user'], 'Debug.health': 'public' } })
 */
export function jwtAuth(o: JwtAuthOptions): HandlerWrapper {
  const rules = o.rules ?? {};
  const policy = o.defaultPolicy ?? 'authenticated';
  const verify = {
    algorithms: o.algorithms ?? ['HS256'],
    clockToleranceSec: o.clockToleranceSec ?? 30,
    ...(o.audience === undefined ? {} : { audience: o.audience }),
    ...(o.issuer === undefined ? {} : { issuer: o.issuer }),
  };
  /** Verifies the caller against `rule`; a refusal is logged at debug (never the token) and rethrown. */
  const check = async (ctx: Context, rule: readonly string[] | 'deny'): Promise<void> => {
    try {
      if (rule === 'deny') throw forbidden(`${ctx.endpoint} is not open to any caller`);
      const claims = await verifyJwt(bearerOf(ctx), o.key, verify);
      const missing = missingRequirements(claims, rule);
      if (missing.length > 0) throw forbidden(`${ctx.endpoint} requires ${missing.join(', ')}`);
      (ctx as Authenticated)[claimsKey] = claims;
    } catch (e) {
      if (isMicroError(e)) {
        // ctx.logger is already bound to the endpoint; a given logger is not.
        const log = o.logger ? o.logger.child({ endpoint: ctx.endpoint }) : ctx.logger;
        log.debug({ code: e.code, reason: e.detail }, 'call refused');
      }
      throw e;
    }
  };
  return (next) => (req, ctx) => {
    const rule = ruleFor(rules, ctx.endpoint) ?? (policy === 'authenticated' ? [] : policy);
    // A public endpoint costs no verification and no promise: it answers as its handler does.
    if (rule === 'public') return next(req, ctx);
    return check(ctx, rule).then(() => next(req, ctx));
  };
}
