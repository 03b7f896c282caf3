import type { CallOptions, CallWrapper, StreamWrapper } from '@tsmicro/client';
import { mergeMetadata } from '@tsmicro/core';

/** Options of {@link bearerToken}: a fixed token or a function fetching a fresh one per call. */
export type BearerTokenOptions = { token: string } | { getToken: () => string | Promise<string> };

/** Client wrappers adding `authorization: Bearer <token>` to each call's metadata. */
export interface BearerToken {
  call: CallWrapper;
  stream: StreamWrapper;
}

/**
 * Sends a bearer token with every call and stream. A caller's own `authorization` metadata wins.
 * `getToken` is awaited per call, so it can refresh expiring tokens.
 * @example createClient({ wrappers: { call: [auth.call], stream: [auth.stream] } }) where auth = bearerToken({ token })
 */
export function bearerToken(o: BearerTokenOptions): BearerToken {
  const get = 'token' in o ? () => o.token : o.getToken;
  const withToken = async (co: CallOptions): Promise<CallOptions> => {
    if (co.metadata?.authorization !== undefined) return co;
    return { ...co, metadata: mergeMetadata(co.metadata, { authorization: `Bearer ${await get()}` }) };
  };
  return {
    call: (next) => async (req, co) => next(req, await withToken(co)),
    stream: (next) => async (req, co) => next(req, await withToken(co)),
  };
}
