import { isIP, type Socket as NetSocket, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { canceled, isMicroError, MicroError, serviceUnavailable, timeout } from '@tsmicro/core';
import type { DialOptions, Socket } from '../transport.js';
import { formatAddress, parseAddress } from './address.js';
import type { ResolvedOptions } from './options.js';
import { TcpSocket } from './socket.js';

/** Connects, finishes TLS and the preface exchange, all within one timeout and abortable. */
export function dial(address: string, o: ResolvedOptions, d: DialOptions = {}): Promise<Socket> {
  const a = parseAddress(address);
  const ms = d.timeout ?? o.dialTimeout;
  const signal = d.signal;
  if (signal?.aborted) return Promise.reject(canceled(`dial ${address} aborted`, { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    let ts: TcpSocket | undefined;
    let done = false;
    const finish = (err?: MicroError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined && ts) return resolve(ts);
      sock.destroy();
      reject(err);
    };
    const timer = setTimeout(() => finish(timeout(`dial ${address} timed out after ${ms} ms`)), ms);
    const onAbort = () => finish(canceled(`dial ${address} aborted`, { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });

    let sock: NetSocket;
    if (a.kind === 'unix') sock = netConnect({ path: a.path });
    else if (o.tls) {
      const servername = o.tls.servername ?? (isIP(a.host) === 0 ? a.host : undefined);
      sock = tlsConnect({ ...o.tls, host: a.host, port: a.port, ...(servername === undefined ? {} : { servername }) });
    } else sock = netConnect({ host: a.host, port: a.port });

    const onError = (e: Error) => finish(serviceUnavailable(`cannot connect to ${address}: ${e.message}`, { cause: e }));
    sock.once('error', onError);
    sock.once(o.tls && a.kind === 'tcp' ? 'secureConnect' : 'connect', () => {
      sock.off('error', onError);
      const local = a.kind === 'unix' ? address : formatAddress(sock.localAddress, sock.localPort);
      ts = new TcpSocket(sock, local, address, o);
      ts.ready.then(
        () => finish(),
        (e: unknown) => finish(dialError(address, e)),
      );
    });
  });
}

/** A handshake failure named with the address, keeping its code (e.g. 400 for a version mismatch). */
function dialError(address: string, e: unknown): MicroError {
  if (!isMicroError(e)) return serviceUnavailable(`cannot connect to ${address}: ${String(e)}`, { cause: e });
  const detail = e.detail.includes(address) ? e.detail : `cannot connect to ${address}: ${e.detail}`;
  return new MicroError({ code: e.code, detail, cause: e });
}
