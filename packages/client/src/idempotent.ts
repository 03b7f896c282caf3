import { badRequest } from '@tsmicro/core';

function compile(pattern: string): RegExp {
  if (pattern === '') throw badRequest('an idempotent pattern is empty: use an endpoint such as Greeter.hello or Greeter.*');
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/**
 * Compiles the client's `idempotent` patterns into one test. A pattern names an endpoint
 * (`Greeter.hello`), may use `*` for any run of characters (`Greeter.*`, `*`), and with a `/`
 * names one service's endpoint (`greeter/Greeter.hello`).
 * @example idempotentMatcher(['Greeter.*'])('greeter', 'Greeter.hello') // true
 */
export function idempotentMatcher(patterns: readonly string[]): (service: string, endpoint: string) => boolean {
  if (patterns.length === 0) return () => false;
  const plain = patterns.filter((p) => !p.includes('/')).map(compile);
  const scoped = patterns.filter((p) => p.includes('/')).map(compile);
  return (service, endpoint) =>
    plain.some((r) => r.test(endpoint)) || (scoped.length > 0 && scoped.some((r) => r.test(`${service}/${endpoint}`)));
}
