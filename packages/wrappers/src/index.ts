// Metrics, tracing and allObservability need optional peers (prom-client, @opentelemetry/api), so
// they are exported only from their subpaths (/metrics, /tracing, /observability): an app that
// imports this root typechecks without those packages installed.
export {
  type AccessRules,
  type BearerToken,
  type BearerTokenOptions,
  bearerToken,
  claimsOf,
  type DefaultPolicy,
  type JwtAlgorithm,
  type JwtAuthOptions,
  type JwtClaims,
  type JwtKey,
  type JwtKeySource,
  jwtAuth,
  type RemoteKeySetOptions,
  remoteKeySet,
  type SignOptions,
  signJwt,
  verifyJwt,
} from './auth/index.js';
export {
  type DebugHandler,
  type DebugHandlerOptions,
  debugHandler,
  type HealthServerOptions,
  healthServer,
  type Readiness,
  readiness,
  type StatsCollector,
  statsWrapper,
  trackReadiness,
} from './health/index.js';
export type { HttpEndpoint } from './internal/http.js';
export { type Logging, type LoggingOptions, logging, requestIdKey } from './logging/index.js';
export { type RateLimitOptions, rateLimit, tokenBucket } from './ratelimit/index.js';
export { type HandlerSchemas, type Schema, schemaOf, schemaSymbol, validate, validated } from './validation/index.js';
export { combineWrappers, type WrapperParts, type WrapperSet } from './wrapper-set.js';
