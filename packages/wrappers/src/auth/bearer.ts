import type { CallOptions, CallWrapper, ClientFunc, StreamWrapper } from '@tsmicro/client';
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
  const withToken = (co: CallOptions, token: string): CallOptions =>
    co.metadata?.authorization !== undefined ? co : { ...co, metadata: mergeMetadata(co.metadata, { authorization: `Bearer ${token}` }) };
  if ('token' in o) {
    // A fixed token needs no wait: the call goes on at once, and its own promise comes back.
    const wrapper =
      <Req, Res>(next: ClientFunc<Req, Res>): ClientFunc<Req, Res> =>
      (req, co) =>
        next(req, withToken(co, o.token));
    return { call: wrapper, stream: wrapper };
  }
  const wrapper =
    <Req, Res>(next: ClientFunc<Req, Res>): ClientFunc<Req, Res> =>
    async (req, co) =>
      next(req, co.metadata?.authorization !== undefined ? co : withToken(co, await o.getToken()));
  return { call: wrapper, stream: wrapper };
}
