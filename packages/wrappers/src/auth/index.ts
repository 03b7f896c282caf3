export { type BearerToken, type BearerTokenOptions, bearerToken } from './bearer.js';
export { type JwtAlgorithm, type JwtClaims, type JwtKey, signJwt, type VerifyOptions, verifyJwt } from './jwt.js';
export { claimsOf, type DefaultPolicy, type JwtAuthOptions, jwtAuth } from './jwt-auth.js';
export { type AccessRules, missingRequirements, ruleFor } from './rules.js';
