import { type MicroError, toMicroError } from '@tsmicro/core';

/** The id gateway-made errors carry (a service's errors carry the service's name). */
export const GATEWAY_ID = 'gateway';

/** A MicroError's code as an HTTP status: its code when it is one (4xx/5xx), else 500. */
export function httpStatus(e: MicroError): number {
  return e.code >= 400 && e.code <= 599 ? e.code : 500;
}

/** An error answer's parts: the HTTP status, the JSON body and its headers. */
export interface ErrorReply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * Any error as the parts of the gateway's JSON error answer `{ id, code, detail, status }` with the
 * HTTP status of its code. Non-MicroErrors become a 500 whose detail hides internals.
 * @example const { status, body, headers } = errorReply(notFound('no such service'))
 */
export function errorReply(err: unknown, headers: Record<string, string> = {}): ErrorReply {
  const e = toMicroError(err, GATEWAY_ID);
  const body = JSON.stringify({ id: e.id, code: e.code, detail: e.detail, status: e.status });
  const extra: Record<string, string> = e.code === 429 ? { 'retry-after': '1' } : {};
  return { status: httpStatus(e), body, headers: { 'content-type': 'application/json', ...extra, ...headers } };
}

/**
 * Any error as the gateway's JSON error response (see {@link errorReply}).
 * @example errorResponse(notFound('no such service'), { 'x-request-id': id })
 */
export function errorResponse(err: unknown, headers: Record<string, string> = {}): Response {
  const { status, body, headers: h } = errorReply(err, headers);
  return new Response(body, { status, headers: h });
}
