import type { Transport } from '../transport.js';
import { dial } from './dial.js';
import { listen } from './listener.js';
import { resolveOptions, type TcpTransportOptions } from './options.js';

export type { TcpTlsOptions, TcpTransportOptions } from './options.js';

/**
 * The network transport: length-prefixed frames over TCP, TLS or unix sockets (docs/protocol.md,
 * "Framing"). Addresses are `host:port`, `[v6]:port` or `unix:/path`; listening on port 0 picks a
 * free port, reported in `listener.address`. Frames produced in one event-loop turn go out in one
 * write; `send()` waits while the kernel buffer is full. Defaults: see {@link TcpTransportOptions}.
 * @example const t = tcpTransport(); const l = await t.listen('127.0.0.1:0'); const s = await t.dial(l.address)
 */
export function tcpTransport(options: TcpTransportOptions = {}): Transport {
  const o = resolveOptions(options);
  return {
    name: 'tcp',
    dial: (address, d) => dial(address, o, d),
    listen: (address) => listen(address, o),
  };
}
