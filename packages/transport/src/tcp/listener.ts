import { stat, unlink } from 'node:fs/promises';
import { createConnection, createServer as createNetServer, type Socket as NetSocket, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { conflict, serviceUnavailable } from '@tsmicro/core';
import type { Listener, Socket } from '../transport.js';
import { formatAddress, parseAddress, type TcpAddress } from './address.js';
import type { ResolvedOptions } from './options.js';
import { forgetRaw } from './raw-sockets.js';
import { TcpSocket } from './socket.js';

class TcpListener implements Listener {
  private handler: ((s: Socket) => void) | undefined;
  private backlog: Socket[] = [];
  private readonly raw = new Set<NetSocket>();
  private readonly sockets = new Set<TcpSocket>();
  private closing: Promise<void> | undefined;
  address = '';

  constructor(
    readonly server: Server,
    private readonly o: ResolvedOptions,
    private readonly unix: boolean,
  ) {
    server.maxConnections = o.maxConnections;
    server.on('connection', (sock: NetSocket) => {
      this.raw.add(sock);
      sock.once('close', () => this.raw.delete(sock));
    });
    server.on('drop', (d?: { remoteAddress?: string }) =>
      o.logger.warn({ listener: this.address, remote: d?.remoteAddress }, 'tsmicro tcp: refused a connection over maxConnections'),
    );
    server.on('tlsClientError', (e: Error, sock: NetSocket) =>
      o.logger.warn({ listener: this.address, remote: sock.remoteAddress, err: e.message }, 'tsmicro tcp: TLS handshake failed'),
    );
    server.on(o.tls && !unix ? 'secureConnection' : 'connection', (sock: NetSocket) => this.wrap(sock));
  }

  private wrap(sock: NetSocket): void {
    // From here the TcpSocket owns the connection.
    forgetRaw(this.raw, sock, this.o.tls !== undefined && !this.unix);
    const remote = this.unix ? this.address : formatAddress(sock.remoteAddress, sock.remotePort);
    const s = new TcpSocket(sock, this.address, remote, this.o);
    this.sockets.add(s);
    void s.closed.then(() => this.sockets.delete(s));
    s.ready.then(
      () => {
        if (this.closing) return void s.close();
        if (!this.handler) return void this.backlog.push(s);
        try {
          this.handler(s);
        } catch (e) {
          this.o.logger.error({ listener: this.address, err: String(e) }, 'tsmicro tcp: accept handler threw; closing its socket');
          void s.close();
        }
      },
      () => undefined,
    );
  }

  accept(fn: (s: Socket) => void): void {
    this.handler = fn;
    for (const s of this.backlog.splice(0)) fn(s);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.backlog = [];
      for (const s of this.sockets) void s.close();
      // Connections still in their TLS handshake have no TcpSocket yet.
      for (const r of this.raw) r.destroy();
    });
    return this.closing;
  }
}

/** Binds `address` (tcp host:port or unix:/path), with TLS when configured. */
export async function listen(address: string, o: ResolvedOptions): Promise<Listener> {
  const a = parseAddress(address);
  const server = o.tls && a.kind === 'tcp' ? createTlsServer({ ...o.tls, handshakeTimeout: o.handshakeTimeout }) : createNetServer();
  const l = new TcpListener(server, o, a.kind === 'unix');
  try {
    await bind(server, a);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (a.kind !== 'unix' || code !== 'EADDRINUSE' || !(await isStale(a.path))) throw bindError(address, e);
    await unlink(a.path);
    await bind(server, a).catch((e2: unknown) => {
      throw bindError(address, e2);
    });
  }
  server.on('error', (e) => o.logger.error({ listener: l.address, err: e.message }, 'tsmicro tcp: listener error'));
  const bound = server.address();
  l.address =
    a.kind === 'unix' ? `unix:${a.path}` : typeof bound === 'object' && bound ? formatAddress(bound.address, bound.port) : address;
  return l;
}

function bind(server: Server, a: TcpAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (a.kind === 'unix') server.listen(a.path, done);
    else server.listen({ host: a.host, port: a.port }, done);
  });
}

/** A unix socket file nobody answers on is left over from a crashed process (anything else at the path is left alone). */
async function isStale(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isSocket()) return false;
  return new Promise((resolve) => {
    const c = createConnection({ path });
    c.once('connect', () => {
      c.destroy();
      resolve(false);
    });
    c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

function bindError(address: string, e: unknown) {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e instanceof Error ? e.message : String(e);
  return code === 'EADDRINUSE'
    ? conflict(`address ${address} is already in use`, { cause: e })
    : serviceUnavailable(`cannot listen on ${address}: ${msg}`, { cause: e });
}
