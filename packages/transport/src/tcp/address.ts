import { badRequest } from '@tsmicro/core';

/** A parsed tcp transport address. */
export type TcpAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/**
 * Parses `unix:/path`, `host:port` or `[v6]:port`. An empty string means `127.0.0.1:0`;
 * an empty host (`:8080`) means every interface.
 */
export function parseAddress(address: string): TcpAddress {
  if (address.startsWith('unix:')) {
    const path = address.slice(5);
    if (!path) throw badRequest(`address ${address} has no socket path`);
    return { kind: 'unix', path };
  }
  if (address === '') return { kind: 'tcp', host: '127.0.0.1', port: 0 };
  const colon = address.lastIndexOf(':');
  if (colon < 0) throw badRequest(`address ${address} is not host:port, [v6]:port or unix:/path`);
  let host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (host.includes(':')) throw badRequest(`address ${address}: write IPv6 hosts in brackets, e.g. [::1]:8080`);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw badRequest(`address ${address} has a bad port ${portText}`);
  return { kind: 'tcp', host: host === '' ? '0.0.0.0' : host, port };
}

/** Formats a host and port, bracketing IPv6 hosts. */
export function formatAddress(host: string | undefined, port: number | undefined): string {
  const h = host ?? '';
  return h.includes(':') ? `[${h}]:${port ?? 0}` : `${h}:${port ?? 0}`;
}
