import { networkInterfaces } from 'node:os';
import { badRequest } from '@tsmicro/core';

/** Splits `host:port` (IPv6 hosts in brackets: `[::1]:8080`). */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw badRequest(`http broker: bad address "${address}" (want host:port)`);
  return { host: m[1] ?? m[2] ?? '', port };
}

/** Joins host and port, bracketing IPv6 hosts. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The host others should dial: the bound one, or for a wildcard bind the first external IPv4 (loopback when there is none). */
export function advertisedHost(bound: string): string {
  if (bound !== '0.0.0.0' && bound !== '::' && bound !== '') return bound;
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}
