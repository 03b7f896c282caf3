import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { badRequest } from '@tsmicro/core';

/** The caller's address from the socket's peer and the `X-Forwarded-For` header. */
export type ClientAddress = (peer: string | undefined, forwardedFor: string | undefined) => string;

/** What a request without a socket (`gw.fetch`) is keyed as. */
const LOCAL = 'local';

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
const plain = (a: string): string => (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a);

function trustedList(entries: readonly string[]): (a: string) => boolean {
  const list = new BlockList();
  for (const e of entries) {
    const [addr = '', bits, extra] = e.trim().split('/');
    const family = isIP(addr);
    const prefix = Number(bits);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (bits !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))) {
      throw badRequest(`createGateway: trustProxy entry '${e}' is not an IP address or CIDR block (e.g. '10.0.0.1' or '10.0.0.0/8')`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(plain(addr), isIP(plain(addr)) === 4 ? 'ipv4' : type);
    else list.addSubnet(addr, prefix, type);
  }
  return (a) => {
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * How the gateway tells callers apart (the rate limit's key). By default the socket's peer, and
 * `X-Forwarded-For` is ignored: anyone can send it. With `trustProxy` the header is read from the
 * right, as far as trusted proxies wrote it: a hop count trusts that many proxies in front of the
 * gateway; a list trusts peers and entries whose address is in it (addresses or CIDR blocks). The
 * first address no trusted proxy vouches for is the client; an entry that is not an IP address ends
 * the walk at the last proxy that passed it on.
 * @example clientAddress(1)('10.0.0.2', '203.0.113.7, 198.51.100.1') // '198.51.100.1'
 */
export function clientAddress(trustProxy: number | readonly string[] | undefined): ClientAddress {
  if (trustProxy === undefined) return (peer) => (peer === undefined ? LOCAL : plain(peer));
  let trusted: (address: string, hop: number) => boolean;
  if (typeof trustProxy === 'number') {
    if (!(Number.isInteger(trustProxy) && trustProxy >= 0)) {
      throw badRequest(
        `createGateway: trustProxy must be a whole number of proxy hops (0 or more) or a list of addresses, got ${trustProxy}`,
      );
    }
    trusted = (_, hop) => hop < trustProxy;
  } else {
    const inList = trustedList(trustProxy);
    trusted = (address) => inList(address);
  }
  return (peer, forwardedFor) => {
    if (peer === undefined) return LOCAL;
    let client = plain(peer);
    if (forwardedFor === undefined || !trusted(client, 0)) return client;
    const hops = forwardedFor.split(',');
    for (let i = hops.length - 1, hop = 1; i >= 0; i--, hop++) {
      const next = plain(hops[i]!.trim());
      if (isIP(next) === 0) return client;
      client = next;
      if (!trusted(client, hop)) return client;
    }
    return client;
  };
}

/**
 * The address of the caller of one request, read as `clientAddress` says (`'local'` for a request
 * without a socket, as from `gw.fetch`). Node joins repeated `X-Forwarded-For` headers into one.
 * @example callerAddress(o.clientAddress, c.env?.incoming)
 */
export function callerAddress(address: ClientAddress, incoming: IncomingMessage | undefined): string {
  const forwarded = incoming?.headers['x-forwarded-for'];
  return address(incoming?.socket.remoteAddress, typeof forwarded === 'string' ? forwarded : undefined);
}
