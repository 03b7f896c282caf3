import { badRequest, type Logger, silentLogger } from '@tsmicro/core';
import { type AccessRules, accessRules } from './access.js';
import { type ClientAddress, clientAddress } from './client-address.js';
import type { GatewayCorsOptions, GatewayOptions, GatewayRateLimitOptions } from './gateway.js';
import { CLIENT_ADDRESS } from './metadata.js';

/** Gateway options with every default applied (the one place defaults live). */
export interface ResolvedGatewayOptions {
  dashboard: boolean;
  publish: boolean;
  maxBodyBytes: number;
  maxTimeoutMs: number;
  access: AccessRules;
  metadataHeaders: readonly string[];
  cors: GatewayCorsOptions | undefined;
  rateLimit: GatewayRateLimitOptions | undefined;
  /** The caller's address, as `trustProxy` says to read it. */
  clientAddress: ClientAddress;
  compressAbove: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  logger: Logger;
}

const positive = (name: string, v: number | undefined, fallback: number): number => {
  if (v === undefined) return fallback;
  if (!(Number.isFinite(v) && v > 0)) throw badRequest(`createGateway: ${name} must be a positive number, got ${v}`);
  return v;
};

/** Header names that could reach a prototype if used as object keys, or that are not header names at all. */
function checkHeaderName(h: string): string {
  const name = h.toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw badRequest(`createGateway: metadataHeaders entry '${h}' is not a header name`);
  // The gateway sets it from the connection: a caller's header of that name would be a forged address.
  if (name === CLIENT_ADDRESS)
    throw badRequest(`createGateway: metadataHeaders cannot pass '${h}': the gateway sets it from the connection`);
  return name;
}

export function resolveOptions(o: GatewayOptions): ResolvedGatewayOptions {
  if (!o.registry) throw badRequest('createGateway needs a registry (the one your services register in)');
  const publish = o.publish ?? false;
  if (publish && !o.broker) throw badRequest('createGateway: publish: true needs a broker (pass the one your services subscribe with)');
  if (o.rateLimit) {
    positive('rateLimit.rps', o.rateLimit.rps, 1);
    const burst = o.rateLimit.burst;
    if (burst !== undefined && !(burst >= 1)) throw badRequest(`createGateway: rateLimit.burst must be 1 or more (requests), got ${burst}`);
  }
  return {
    dashboard: o.dashboard ?? true,
    publish,
    maxBodyBytes: positive('maxBodyBytes', o.maxBodyBytes, 1024 * 1024),
    maxTimeoutMs: positive('maxTimeoutMs', o.maxTimeoutMs, 60_000),
    access: accessRules(o.allow ?? ['*'], o.deny ?? []),
    metadataHeaders: (o.metadataHeaders ?? ['authorization', 'x-request-id', 'traceparent', 'tracestate']).map(checkHeaderName),
    cors: o.cors,
    rateLimit: o.rateLimit,
    clientAddress: clientAddress(o.trustProxy),
    compressAbove: o.compressAbove === false ? Number.POSITIVE_INFINITY : positive('compressAbove', o.compressAbove, 1024),
    headersTimeoutMs: positive('headersTimeoutMs', o.headersTimeoutMs, 10_000),
    requestTimeoutMs: positive('requestTimeoutMs', o.requestTimeoutMs, 30_000),
    logger: o.logger ?? silentLogger(),
  };
}
