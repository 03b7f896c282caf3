import { clientAddress, type GatewayRateLimitOptions } from '@tsmicro/gateway';
import { usageError } from './failure.js';

const TRUST_PROXY_USAGE =
  "--trust-proxy takes a hop count or proxy addresses and CIDR blocks separated by commas (e.g. '1' or '10.0.0.0/8,192.168.1.5')";

/**
 * Commander parser for `--trust-proxy <hops|addr,cidr,...>`: a whole number is a hop count, anything
 * else a comma-separated list of addresses and CIDR blocks, checked as the gateway will read it.
 * @example parseTrustProxy('1') // 1; parseTrustProxy('10.0.0.0/8,::1') // ['10.0.0.0/8', '::1']
 */
export function parseTrustProxy(v: string): number | string[] {
  const text = v.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const list = text.split(',').map((e) => e.trim());
  if (list.some((e) => e === '')) throw usageError(`${TRUST_PROXY_USAGE}, got '${v}'`);
  try {
    // The gateway's own reading of the list: what it refuses at start is refused here, before anything starts.
    clientAddress(list);
  } catch {
    throw usageError(`${TRUST_PROXY_USAGE}, got '${v}'`);
  }
  return list;
}

const RATE_LIMIT_USAGE = "--rate-limit takes requests per second per client and an optional burst, as rps[:burst] (e.g. '50' or '50:100')";

/**
 * Commander parser for `--rate-limit <rps[:burst]>`: a positive rate per second (fractions allowed,
 * `0.5` is one request every 2 s) and an optional whole burst of at least 1.
 * @example parseRateLimit('50:100') // { rps: 50, burst: 100 }
 */
export function parseRateLimit(v: string): GatewayRateLimitOptions {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(?::\s*([0-9]+)\s*)?$/.exec(v);
  const rps = Number(m?.[1]);
  const burst = m?.[2] === undefined ? undefined : Number(m[2]);
  if (!m || !(rps > 0) || (burst !== undefined && burst < 1)) throw usageError(`${RATE_LIMIT_USAGE}, got '${v}'`);
  return burst === undefined ? { rps } : { rps, burst };
}
