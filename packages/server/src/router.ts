import { badRequest, type Logger } from '@tsmicro/core';
import { type HandlerKind, kindOf } from '@tsmicro/transport/rpc';
import { endpointMetadata } from './endpoint-meta.js';
import type { HandlerFunc, HandlerWrapper } from './server.js';
import { chain } from './wrap.js';

/** One routable endpoint. */
export interface Route {
  readonly name: string;
  readonly kind: HandlerKind;
  /** Published in the registry record: `kind`, and the JSON Schemas when the handler declares them. */
  readonly metadata: Record<string, string>;
  /** The handler inside its wrappers: a plain value when they all answered at once, else a promise. */
  readonly invoke: HandlerFunc;
  /** Bound to the endpoint once, not per call. */
  readonly logger: Logger;
}

/** The method names of an object: own and inherited (class prototypes), up to Object.prototype. */
function methodNames(o: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k === 'constructor' || names.has(k)) continue;
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (d && typeof d.value === 'function') names.add(k);
    }
  }
  return [...names];
}

/** Builds the routes `${name}.${method}` of a handler object, each wrapped (first wrapper outermost). */
export function routesOf(name: string, handlers: object, wrappers: readonly HandlerWrapper[], logger: Logger): Route[] {
  if (!name || name.includes('.')) throw badRequest(`handler name '${name}' must be non-empty and without dots`);
  const routes: Route[] = [];
  for (const method of methodNames(handlers)) {
    const fn = (handlers as Record<string, unknown>)[method] as Function;
    const invoke = chain<HandlerFunc>((req, ctx) => fn.call(handlers, req, ctx), wrappers);
    const kind = kindOf(fn);
    const log = logger.child({ endpoint: `${name}.${method}` });
    routes.push({ name: `${name}.${method}`, kind, metadata: endpointMetadata(fn, kind, log), invoke, logger: log });
  }
  if (routes.length === 0) throw badRequest(`handler '${name}' has no methods`);
  return routes;
}
