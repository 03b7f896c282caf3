import {
  canceled,
  earliest,
  isMergedMetadata,
  isMicroError,
  type Metadata,
  type MicroError,
  mergeMetadata,
  remaining,
  serviceUnavailable,
  timeout,
} from '@tsmicro/core';
import type { Next, SelectOptions } from '@tsmicro/selector';
import { type CallScope, callScope, H, raceScope, writeMetadata } from '@tsmicro/transport/rpc';
import type { CallOptions } from './client.js';
import type { ResolvedClientOptions } from './options.js';

/** The cancellation scope of one call: own timeout, the ctx's deadline, the caller's and the ctx's signals. */
export function scopeOf(name: string, timeoutMs: number | undefined, o: CallOptions, now = Date.now()): CallScope {
  const deadline = earliest(timeoutMs === undefined ? undefined : now + timeoutMs, o.ctx?.deadline);
  const ms = remaining(deadline, now) ?? 0;
  const onDeadline = () => timeout(`call to ${name} timed out after ${ms} ms`);
  if (!o.signal && !o.ctx) return callScope({ deadline, onDeadline, now });
  return callScope({ deadline, parents: [o.signal, o.ctx?.signal], onDeadline, now });
}

/** Why a scope aborted, as a MicroError (a bare AbortSignal reason becomes a 499). */
export function abortReason(reason: unknown, name: string): MicroError {
  return isMicroError(reason) ? reason : canceled(`call to ${name} was cancelled`, { cause: reason });
}

/** Rejects with the abort reason once the scope aborts; otherwise settles like `p`. */
export function raceAbort<T>(p: Promise<T>, scope: CallScope, name: string): Promise<T> {
  return raceScope(p, scope, (r) => abortReason(r, name));
}

/** A fresh request header: routing, content type, remaining deadline and metadata. */
export function requestHeader(
  service: string,
  endpoint: string,
  contentType: string,
  deadline: number | undefined,
  md: Metadata,
  now = Date.now(),
): Record<string, string> {
  const h: Record<string, string> = { [H.service]: service, [H.endpoint]: endpoint, [H.contentType]: contentType };
  if (deadline !== undefined) h[H.timeout] = String(remaining(deadline, now));
  writeMetadata(h, md);
  return h;
}

/** Shared by every call without metadata: nothing reads it but to copy it into a header. */
const NO_METADATA: Metadata = Object.freeze(Object.create(null) as Metadata);

/**
 * The call's metadata: the ctx's, then the call's own (keys lower-cased). Read-only. Metadata a
 * wrapper already merged (lower-cased) is taken as it is: a third copy per call bought nothing.
 */
export function callMetadata(o: CallOptions): Metadata {
  if (!o.ctx && o.metadata && isMergedMetadata(o.metadata)) return o.metadata;
  return o.ctx || o.metadata ? mergeMetadata(o.ctx?.metadata, o.metadata) : NO_METADATA;
}

const noop = (): void => {};

/** Made once per address: a call with `address` builds no node, selection or closure. */
const fixedNodes = new Map<string, Next>();
/** Past this many addresses the cache starts over (a client calling ever new addresses must not grow it without end). */
const MAX_FIXED_NODES = 1024;

/** The fixed node of `address`: every attempt goes there, nothing to report back. */
export function fixedNode(address: string): Next {
  let next = fixedNodes.get(address);
  if (!next) {
    const sel = { node: { id: address, address, metadata: {} }, done: noop };
    next = () => sel;
    if (fixedNodes.size >= MAX_FIXED_NODES) fixedNodes.clear();
    fixedNodes.set(address, next);
  }
  return next;
}

/** Nodes for one call: a fixed address, or the selector's. */
export async function nodesFor(c: ResolvedClientOptions, service: string, o: CallOptions, select: SelectOptions): Promise<Next> {
  if (o.address !== undefined) return fixedNode(o.address);
  if (!c.selector) throw serviceUnavailable(`cannot find service ${service}: the client has no registry or selector (or pass address)`);
  return c.selector().select(service, select);
}

/** The selector's nodes for a call by name, picked now, or undefined when the selector would have to wait for them. */
export function selectNow(c: ResolvedClientOptions, service: string, o: CallOptions, req: unknown, md: Metadata): Next | undefined {
  const selector = c.selector?.();
  return selector?.selectNow?.(service, selectFor(c, o, req, md));
}

/** Shared by every call without selection options. */
const NO_SELECT: SelectOptions = Object.freeze({});

/** The call's selection options: the per-node cap unless `select.maxInflight` is set, and the consistent-hash key from `hashKey` unless `select.key` is set. */
export function selectFor(c: ResolvedClientOptions, o: CallOptions, req: unknown, md: Metadata): SelectOptions {
  let select = o.select ?? NO_SELECT;
  if (c.nodeLimit !== undefined && select.maxInflight === undefined) select = { ...select, maxInflight: c.nodeLimit };
  const hashKey = o.hashKey ?? c.hashKey;
  if (!hashKey || select.key !== undefined) return select;
  const key = hashKey(req, md);
  return key === undefined ? select : { ...select, key };
}
