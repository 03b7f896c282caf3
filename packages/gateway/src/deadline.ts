import { badRequest } from '@tsmicro/core';
import { GATEWAY_ID } from './http-error.js';
import { type HeaderBag, header } from './request-headers.js';

const grpcUnits: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** `grpc-timeout` (`100m`, `5S`, up to 8 digits and a unit) in ms. */
function parseGrpcTimeout(v: string): number {
  const m = /^(\d{1,8})([HMSmun])$/.exec(v);
  const unit = m?.[2] === undefined ? undefined : grpcUnits[m[2]];
  if (!m || unit === undefined) {
    throw badRequest(`grpc-timeout '${v}' is not 1-8 digits and a unit (H M S m u n), e.g. 500m`, { id: GATEWAY_ID });
  }
  return Number(m[1]) * unit;
}

/**
 * The call's timeout in ms from `x-timeout` (ms) or `grpc-timeout`, capped at `max`; `undefined`
 * when neither is sent (the call keeps its default). A malformed value is a 400, not silently ignored.
 * @example requestTimeout({ 'x-timeout': '250' }, 60_000) // 250
 */
export function requestTimeout(h: HeaderBag, max: number): number | undefined {
  const x = header(h, 'x-timeout');
  const g = header(h, 'grpc-timeout');
  let ms: number | undefined;
  if (x !== undefined) {
    if (!/^\d{1,9}$/.test(x.trim()) || Number(x) <= 0) {
      throw badRequest(`x-timeout '${x}' is not a positive whole number of milliseconds`, { id: GATEWAY_ID });
    }
    ms = Number(x);
  } else if (g !== undefined) {
    ms = Math.max(1, Math.ceil(parseGrpcTimeout(g.trim())));
  }
  return ms === undefined ? undefined : Math.min(ms, max);
}
