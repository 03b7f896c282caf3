import { ErrorCode, isMicroError } from '@tsmicro/core';

/**
 * The default test of whether an error counts against the node: transport errors and 5xx and 408
 * do; the caller's own cancellation, request errors (4xx) and 429 do not. A 429 is a healthy node
 * pacing its callers (rate limit, concurrency cap): it must neither eject the node nor open its
 * circuit; the client's breaker rests the node for the 429's `retry after` instead.
 */
export function isNodeFailure(error: unknown): boolean {
  if (error === undefined || error === null) return false;
  if (isMicroError(error)) {
    return error.code >= 500 || error.code === ErrorCode.Timeout;
  }
  return !(error instanceof Error && error.name === 'AbortError');
}
