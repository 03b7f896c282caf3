import { ErrorCode, isMicroError } from './errors.js';

/** Longest wait a server may ask for; a larger (or garbled) figure is capped so a caller never parks for hours. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The wait a 429 asks for: servers end its detail with `retry after N ms` (the rate-limit wrapper
 * does). The wire error keeps go-micro's four fields, so the figure travels in the detail.
 * `undefined` for any other error, a 429 without a figure, or 0 ms. Capped at 60 s.
 * @example retryAfterMs(tooManyRequests('G.a is rate limited: retry after 100 ms')) // 100
 */
export function retryAfterMs(error: unknown): number | undefined {
  if (!isMicroError(error) || error.code !== ErrorCode.TooManyRequests) return undefined;
  const m = /retry after (\d+(?:\.\d+)?) ?ms\b/.exec(error.detail);
  if (!m) return undefined;
  const ms = Math.ceil(Number(m[1]));
  return ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}
