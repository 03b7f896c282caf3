import { ErrorCode, isMicroError } from '@tsmicro/core';

/** What the caller knows about the failed attempt. */
export interface RetryableContext {
  /** The call has no side effects when repeated. Default false. */
  idempotent?: boolean;
  /**
   * A handler may have run the request: it was written and the server did not refuse it before
   * dispatch (`Micro-Refused`). Default true (the safe assumption).
   */
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
 * Whether a failed attempt may be retried on another node. A call that is not idempotent is retried
 * only when no handler can have run it (`sent: false`: connect errors, a failed write, a server's
 * refusal before dispatch) and the error is a 503 or 408 or a connect error; a 502 (outcome unknown:
 * connection lost or call cut after the request was sent) never is. With `idempotent`, any error
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
    return !sent && (error.code === ErrorCode.ServiceUnavailable || error.code === ErrorCode.Timeout);
  }
  if (o.idempotent || !sent) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECT_CODES.has(code);
}
