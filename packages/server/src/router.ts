import { badRequest, type Logger } from '@tsmicro/core';
import { type HandlerKind, kindOf } from '@tsmicro/transport/rpc';
import { endpointMetadata } from './endpoint-meta.js';
import type { AnyHandlerWrapper, HandlerFunc, ValueHandlerFunc } from './server.js';
import { wrapHandler } from './value-wrapper.js';

/** One routable endpoint. */
export interface Route {
  readonly name: string;
  readonly kind: HandlerKind;
  /** Published in the registry record: `kind`, and the JSON Schemas when the handler declares them. */
  readonly metadata: Record<string, string>;
  /** The wrapped invocation. */
  readonly invoke: HandlerFunc;
  /**
   * The wrapped invocation when its result may be a plain value (no wrappers, or an outermost one
   * that passes values), which the dispatcher then answers without waiting a turn.
   */
  readonly direct: ValueHandlerFunc | undefined;
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
export function routesOf(name: string, handlers: object, wrappers: readonly AnyHandlerWrapper[], logger: Logger): Route[] {
  if (!name || name.includes('.')) throw badRequest(`handler name '${name}' must be non-empty and without dots`);
  const routes: Route[] = [];
  for (const method of methodNames(handlers)) {
    const fn = (handlers as Record<string, unknown>)[method] as Function;
    const { invoke, direct } = wrapHandler((req, ctx) => fn.call(handlers, req, ctx), wrappers);
    const kind = kindOf(fn);
    const log = logger.child({ endpoint: `${name}.${method}` });
    routes.push({ name: `${name}.${method}`, kind, metadata: endpointMetadata(fn, kind, log), invoke, direct, logger: log });
  }
  if (routes.length === 0) throw badRequest(`handler '${name}' has no methods`);
  return routes;
}
