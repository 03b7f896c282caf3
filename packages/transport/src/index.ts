export type { DialOptions, Listener, Message, Socket, Transport } from './transport.js';
