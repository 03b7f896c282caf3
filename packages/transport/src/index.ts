export { memoryTransport } from './memory.js';
export { type TcpTlsOptions, type TcpTransportOptions, tcpTransport } from './tcp/index.js';
export type { DialOptions, Listener, Message, Socket, Transport } from './transport.js';
