import { ErrorCode, isMicroError } from '@tsmicro/core';

/**
 * The default test of whether an error counts against the node: transport errors and 5xx, 408
 * and 429 do; the caller's own cancellation and request errors (other 4xx) do not.
 */
export function isNodeFailure(error: unknown): boolean {
  if (error === undefined || error === null) return false;
  if (isMicroError(error)) {
    return error.code >= 500 || error.code === ErrorCode.Timeout || error.code === ErrorCode.TooManyRequests;
  }
  return !(error instanceof Error && error.name === 'AbortError');
}
