import { badRequest } from '@tsmicro/core';

/** Which services and endpoints the gateway exposes. */
export interface AccessRules {
  /** Whether any endpoint of `service` may be exposed (hides the service from listings otherwise). */
  service(service: string): boolean;
  /** Whether `service`'s `endpoint` (`Handler.method`) may be called. */
  endpoint(service: string, endpoint: string): boolean;
}

interface Pattern {
  service: RegExp;
  endpoint: RegExp;
  /** Names the Debug handler itself, so it may expose `Debug.*`. */
  namesDebug: boolean;
}

const glob = (s: string) => new RegExp(`^${s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

function parse(p: string): Pattern {
  const [service = '', endpoint = '*', extra] = p.split('/');
  if (service === '' || endpoint === '' || extra !== undefined) {
    throw badRequest(`createGateway: allow/deny pattern '${p}' is not 'service' or 'service/Handler.method' (with * wildcards)`);
  }
  return { service: glob(service), endpoint: glob(endpoint), namesDebug: endpoint.startsWith('Debug.') };
}

/**
 * Allow/deny lists of `service[/Handler.method]` patterns with `*` wildcards; deny wins, and
 * `Debug.*` endpoints need an allow pattern that names `Debug` (they reveal process internals).
 * @example accessRules(['greeter', '*\/Debug.health'], ['greeter/Admin.*'])
 */
export function accessRules(allow: readonly string[], deny: readonly string[]): AccessRules {
  // The default (everything but Debug), decided without a pattern per call.
  if (allow.length === 1 && allow[0] === '*' && deny.length === 0)
    return { service: () => true, endpoint: (_, e) => !e.startsWith('Debug.') };
  const allowed = allow.map(parse);
  const denied = deny.map(parse);
  const match = (ps: Pattern[], s: string, e: string) => ps.find((p) => p.service.test(s) && p.endpoint.test(e));
  return {
    service: (s) => allowed.some((p) => p.service.test(s)) && !denied.some((p) => p.service.test(s) && p.endpoint.source === '^.*$'),
    endpoint(s, e) {
      if (match(denied, s, e)) return false;
      const debug = e.startsWith('Debug.');
      return allowed.some((p) => p.service.test(s) && p.endpoint.test(e) && (!debug || p.namesDebug));
    },
  };
}
