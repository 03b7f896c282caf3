import { randomUUID } from 'node:crypto';
import { emptyMetadata, type Metadata } from '@tsmicro/core';
import { type HeaderBag, header } from './request-headers.js';

/** The header a request id travels in, both ways (the logging wrapper's `requestIdKey`). */
export const REQUEST_ID = 'x-request-id';

/** A caller's id is kept only when it is short and plain; anything else is replaced, not echoed. */
const safeId = /^[\w.:@/+=-]{1,128}$/;

/**
 * Call metadata from the allow-listed request headers, plus the request id (the caller's when
 * sane, else a fresh UUID). Built as core's merged metadata (prototype-free, keys lower-case), which
 * the client takes as it is instead of copying it again; header names never reach a prototype.
 * @example const { metadata, requestId } = metadataFrom(incoming.headers, ['authorization'])
 */
export function metadataFrom(h: HeaderBag, allowed: readonly string[]): { metadata: Metadata; requestId: string } {
  const metadata = emptyMetadata();
  for (const name of allowed) {
    const v = header(h, name);
    if (v !== undefined) metadata[name] = v;
  }
  const given = header(h, REQUEST_ID);
  const requestId = given !== undefined && safeId.test(given) ? given : randomUUID();
  metadata[REQUEST_ID] = requestId;
  return { metadata, requestId };
}
