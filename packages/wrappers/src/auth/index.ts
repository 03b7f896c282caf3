export { type BearerToken, type BearerTokenOptions, bearerToken } from './bearer.js';
export {
  type JwtAlgorithm,
  type JwtClaims,
  type JwtKey,
  type JwtKeySource,
  type SignOptions,
  signJwt,
  type VerifyOptions,
  verifyJwt,
} from './jwt.js';
export { claimsOf, type DefaultPolicy, type JwtAuthOptions, jwtAuth } from './jwt-auth.js';
export { type RemoteKeySetOptions, remoteKeySet } from './key-set.js';
export { type AccessRules, missingRequirements, ruleFor } from './rules.js';
