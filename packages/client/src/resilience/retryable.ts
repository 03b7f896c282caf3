import { ErrorCode, isMicroError } from '@tsmicro/core';

/** What the caller knows about the failed attempt. */
export interface RetryableContext {
  /** The call has no side effects when repeated. Default false. */
  idempotent?: boolean;
  /** The request may have reached the server (bytes were written). Default true (the safe assumption). */
  sent?: boolean;
}

/** Errors that say a request never got a connection, so it cannot have been processed. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/** The caller gave up, or the request itself is wrong: another node will not change that. */
const NEVER = new Set<number>([
  ErrorCode.BadRequest,
  ErrorCode.Unauthorized,
  ErrorCode.Forbidden,
  ErrorCode.NotFound,
  ErrorCode.Conflict,
  ErrorCode.PayloadTooLarge,
  ErrorCode.Canceled,
]);

function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

/**
 * Whether a failed attempt may be retried on another node: connect errors, any failure before the
 * request was sent, 503 (the node refused the work), 408 before sending; with `idempotent`, any error
 * except the caller's cancellation and request errors that no node would answer differently
 * (400, 401, 403, 404, 409, 413).
 * @example if (isRetryable(err, { idempotent: false, sent })) retry()
 */
export function isRetryable(error: unknown, o: RetryableContext = {}): boolean {
  const sent = o.sent ?? true;
  if (isAbort(error)) return false;
  if (isMicroError(error)) {
    if (NEVER.has(error.code)) return false;
    if (o.idempotent) return true;
    return error.code === ErrorCode.ServiceUnavailable || (!sent && error.code === ErrorCode.Timeout);
  }
  if (o.idempotent || !sent) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECT_CODES.has(code);
}
