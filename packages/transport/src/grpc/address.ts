import { badRequest } from '@tsmicro/core';

/** The scheme of a gRPC node's address in the registry, so a client knows to dial it over gRPC. */
export const SCHEME = 'grpc://';

/** Host and port of `grpc://host:port`, `host:port` or `[v6]:port`. */
export function parseGrpcAddress(address: string): { host: string; port: number } {
  const a = address.startsWith(SCHEME) ? address.slice(SCHEME.length) : address;
  const colon = a.lastIndexOf(':');
  const host = a.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(a.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw badRequest(`bad gRPC address '${address}': expected grpc://host:port (port 0 picks a free one)`);
  }
  return { host, port };
}

/** `grpc://host:port` (IPv6 hosts in brackets). */
export function formatGrpcAddress(host: string | undefined, port: number | undefined): string {
  const h = host ?? '';
  return `${SCHEME}${h.includes(':') ? `[${h}]` : h}:${port ?? 0}`;
}
