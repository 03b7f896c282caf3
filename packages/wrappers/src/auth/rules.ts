import type { JwtClaims } from './jwt.js';

/**
 * Per-endpoint access rules: endpoint pattern → requirements, all of which must hold.
 * Patterns: exact `Greeter.hello`, `Greeter.*` (any method of a handler), `*` (everything).
 * Requirements: `role:<r>` (claim `roles` array or `role` string holds r), `scope:<s>`
 * (space-separated `scope` claim holds s), `claim:<name>=<value>`; `[]` means any valid token.
 * The most specific matching pattern wins.
 * @example { 'Greeter.*': ['role:user'], 'Admin.*': ['role:admin'], 'Debug.health': 'public' }
 */
export type AccessRules = Record<string, string[] | 'public'>;

/** The rule for an endpoint: its requirements, `'public'`, or `undefined` when no pattern matches. */
export function ruleFor(rules: AccessRules, endpoint: string): string[] | 'public' | undefined {
  if (Object.hasOwn(rules, endpoint)) return rules[endpoint];
  const dot = endpoint.indexOf('.');
  const handlerWildcard = dot > 0 ? `${endpoint.slice(0, dot)}.*` : undefined;
  if (handlerWildcard && Object.hasOwn(rules, handlerWildcard)) return rules[handlerWildcard];
  return Object.hasOwn(rules, '*') ? rules['*'] : undefined;
}

function has(claims: JwtClaims, requirement: string): boolean {
  const colon = requirement.indexOf(':');
  const kind = requirement.slice(0, colon);
  const value = requirement.slice(colon + 1);
  if (kind === 'role') {
    const roles = claims.roles;
    return (Array.isArray(roles) && roles.includes(value)) || claims.role === value;
  }
  if (kind === 'scope') return typeof claims.scope === 'string' && claims.scope.split(' ').includes(value);
  if (kind === 'claim') {
    const eq = value.indexOf('=');
    return eq > 0 && String(claims[value.slice(0, eq)]) === value.slice(eq + 1);
  }
  return false;
}

/** The requirements the claims fail to meet (empty when allowed). */
export function missingRequirements(claims: JwtClaims, requirements: readonly string[]): string[] {
  return requirements.filter((r) => !has(claims, r));
}
