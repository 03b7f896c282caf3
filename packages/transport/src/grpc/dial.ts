import { connect } from 'node:http2';
import { serviceUnavailable, timeout } from '@tsmicro/core';
import type { DialOptions, Socket } from '../transport.js';
import { formatGrpcAddress, parseGrpcAddress } from './address.js';
import { GrpcClientSocket } from './client-socket.js';
import type { ResolvedGrpcOptions } from './options.js';

/** Connects to a gRPC server at `grpc://host:port` or `host:port`: h2c, or h2 over TLS when `o.tls` is set. */
export function dialGrpc(address: string, o: ResolvedGrpcOptions, d: DialOptions = {}): Promise<Socket> {
  const { host, port } = parseGrpcAddress(address);
  const ms = d.timeout ?? o.dialTimeout;
  return new Promise((resolve, reject) => {
    const authority = `${o.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const session = connect(authority, { ...o.tls, settings: { initialWindowSize: o.window } });
    const fail = (e: Error) => {
      cleanup();
      session.destroy();
      reject(e);
    };
    const onError = (e: Error) => fail(serviceUnavailable(`cannot connect to ${address}: ${e.message}`, { cause: e }));
    const onAbort = () => fail(serviceUnavailable(`dial to ${address} was cancelled`, { cause: d.signal?.reason }));
    const t = setTimeout(() => fail(timeout(`dial to ${address} timed out after ${ms} ms`)), ms);
    const cleanup = () => {
      clearTimeout(t);
      session.off('error', onError);
      d.signal?.removeEventListener('abort', onAbort);
    };
    if (d.signal?.aborted) return onAbort();
    d.signal?.addEventListener('abort', onAbort, { once: true });
    session.once('error', onError);
    session.once('connect', () => {
      cleanup();
      session.setLocalWindowSize(o.window);
      const sock = session.socket;
      resolve(new GrpcClientSocket(session, formatGrpcAddress(sock.localAddress, sock.localPort), address, o));
    });
  });
}
