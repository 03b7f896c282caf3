import { randomUUID } from 'node:crypto';
import type { Metadata } from '@tsmicro/core';

/** The header a request id travels in, both ways (the logging wrapper's `requestIdKey`). */
export const REQUEST_ID = 'x-request-id';

/** A caller's id is kept only when it is short and plain; anything else is replaced, not echoed. */
const safeId = /^[\w.:@/+=-]{1,128}$/;

/**
 * Call metadata from the allow-listed request headers, plus the request id (the caller's when
 * sane, else a fresh UUID). Built on a null-prototype object: header names never reach a prototype.
 * @example const { metadata, requestId } = metadataFrom(req.headers, ['authorization'])
 */
export function metadataFrom(h: Headers, allowed: readonly string[]): { metadata: Metadata; requestId: string } {
  const metadata: Metadata = Object.create(null);
  for (const name of allowed) {
    const v = h.get(name);
    if (v !== null) metadata[name] = v;
  }
  const given = h.get(REQUEST_ID);
  const requestId = given !== null && safeId.test(given) ? given : randomUUID();
  metadata[REQUEST_ID] = requestId;
  return { metadata, requestId };
}
