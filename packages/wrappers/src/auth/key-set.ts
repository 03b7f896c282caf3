import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

/** Options of {@link remoteKeySet}. */
export interface RemoteKeySetOptions {
  /** How long a fetched key set is used before it is fetched again, ms. Default 600000 (10 min). */
  cacheMaxAgeMs?: number;
  /** Least time between two fetches, ms: a token with an unknown `kid` refetches at most this often. Default 30000. */
  cooldownMs?: number;
  /** Timeout of one fetch, ms. Default 5000. */
  timeoutMs?: number;
}

/**
 * A JSON Web Key Set served over HTTP (an OpenID provider's `jwks_uri`), cached and refreshed by
 * `jose`: keys are fetched on first use, kept for `cacheMaxAgeMs`, and fetched again early when a
 * token names a `kid` the cached set lacks (key rotation), no more often than `cooldownMs`.
 * @example jwtAuth({ key: remoteKeySet('https://issuer.example/.well-known/jwks.json'), algorithms: ['RS256'] })
 */
export function remoteKeySet(url: string | URL, o: RemoteKeySetOptions = {}): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(url), {
    cacheMaxAge: o.cacheMaxAgeMs ?? 600_000,
    cooldownDuration: o.cooldownMs ?? 30_000,
    timeoutDuration: o.timeoutMs ?? 5_000,
  });
}
