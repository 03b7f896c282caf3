import { randomUUID } from 'node:crypto';
import { emptyMetadata, type Metadata } from '@tsmicro/core';
import { type HeaderBag, header } from './request-headers.js';

/** The header a request id travels in, both ways (the logging wrapper's `requestIdKey`). */
export const REQUEST_ID = 'x-request-id';

/**
 * The metadata key holding the caller's address (after `trustProxy`), set by the gateway only: a
 * header of that name from the caller is never passed on.
 */
export const CLIENT_ADDRESS = 'x-client-address';

/** A caller's id is kept only when it is short and plain; anything else is replaced, not echoed. */
const safeId = /^[\w.:@/+=-]{1,128}$/;

/**
 * Call metadata from the allow-listed request headers, plus the request id (the caller's when
 * sane, else a fresh UUID) and the caller's address as {@link CLIENT_ADDRESS}. Built as core's merged metadata (prototype-free, keys lower-case), which
 * the client takes as it is instead of copying it again; header names never reach a prototype.
 * @example const { metadata, requestId } = metadataFrom(incoming.headers, ['authorization'], '203.0.113.7')
 */
export function metadataFrom(h: HeaderBag, allowed: readonly string[], clientAddress: string): { metadata: Metadata; requestId: string } {
  const metadata = emptyMetadata();
  for (const name of allowed) {
    const v = header(h, name);
    if (v !== undefined) metadata[name] = v;
  }
  const given = header(h, REQUEST_ID);
  const requestId = given !== undefined && safeId.test(given) ? given : randomUUID();
  metadata[REQUEST_ID] = requestId;
  metadata[CLIENT_ADDRESS] = clientAddress;
  return { metadata, requestId };
}
