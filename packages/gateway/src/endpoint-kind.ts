import { notFound } from '@tsmicro/core';
import type { CacheRegistry, ServiceRecord } from '@tsmicro/registry';
import { type HandlerKind, registeredKind } from '@tsmicro/transport/rpc';
import { GATEWAY_ID } from './http-error.js';

/** The call shape of `endpoint` in `records`, or the 404 to throw (see {@link endpointKind}). */
function kindIn(records: readonly ServiceRecord[], service: string, endpoint: string): HandlerKind {
  if (records.length === 0) throw notFound(`service '${service}' is not registered`, { id: GATEWAY_ID });
  let listsEndpoints = false;
  for (const r of records) {
    listsEndpoints ||= r.endpoints.length > 0;
    const e = r.endpoints.find((x) => x.name === endpoint);
    if (e) return registeredKind(e.metadata);
  }
  if (listsEndpoints) throw notFound(`service '${service}' has no endpoint '${endpoint}'`, { id: GATEWAY_ID });
  return 'unary';
}

/**
 * The call shape of `service`'s `endpoint` as its nodes registered it. 404 when the service has
 * no node, or when its records list endpoints and this is not one of them; `'unary'` when a record
 * lists no kind (an older or foreign server). Answered in the caller's turn (no promise) when the
 * cache holds the service, as it does for every request after the first.
 */
export function endpointKind(registry: CacheRegistry, service: string, endpoint: string): HandlerKind | Promise<HandlerKind> {
  const held = registry.peek(service);
  if (held !== undefined) return kindIn(held, service, endpoint);
  return registry.getService(service).then((records) => kindIn(records, service, endpoint));
}

/**
 * The call shape of `service`'s `endpoint` when the cache holds the service and lists it (or lists
 * no endpoints); undefined otherwise, without a lookup or an error.
 */
export function cachedKind(registry: CacheRegistry, service: string, endpoint: string): HandlerKind | undefined {
  const held = registry.peek(service);
  if (held === undefined || held.length === 0) return undefined;
  try {
    return kindIn(held, service, endpoint);
  } catch {
    return undefined;
  }
}
