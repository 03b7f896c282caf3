import { createServer as createH2Server, type Http2Server } from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket as NetSocket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { badRequest, conflict, serviceUnavailable } from '@tsmicro/core';
import { formatAddress } from '../tcp/address.js';
import { dial as dialTcp } from '../tcp/dial.js';
import { resolveOptions, type TcpTlsOptions, type TcpTransportOptions } from '../tcp/options.js';
import { forgetRaw } from '../tcp/raw-sockets.js';
import { TcpSocket } from '../tcp/socket.js';
import { MAGIC } from '../tcp/wire.js';
import type { Listener, Socket } from '../transport.js';
import { parseGrpcAddress, SCHEME } from './address.js';
import { dialGrpc } from './dial.js';
import type { GrpcTransport } from './index.js';
import { GrpcListener } from './listener.js';
import { type GrpcTransportOptions, type ResolvedGrpcOptions, resolveGrpcOptions } from './options.js';
import { reflectionIndex } from './reflection.js';

/** What the node record says about a port speaking both protocols. */
const BOTH = { protocols: 'tsmicro,grpc' } as const;

/**
 * tsmicro's tcp protocol and gRPC on ONE port, told apart by the connection preface: a connection
 * starting with `TSMICRO` is a tsmicro connection, anything else goes to the HTTP/2 server (which
 * serves `PRI * HTTP/2.0` prefaces and closes everything else). With TLS the sniffing happens on the
 * first decrypted byte, after the handshake (ALPN offers `h2` for gRPC peers).
 */
class OnePortListener implements Listener {
  address = '';
  readonly metadata = BOTH;
  private handler: ((s: Socket) => void) | undefined;
  private backlog: Socket[] = [];
  /** Connections whose protocol is not known yet (in their TLS handshake, or before their first byte). */
  private readonly undecided = new Set<NetSocket>();
  private readonly tcp = new Set<TcpSocket>();
  private closing: Promise<void> | undefined;
  private readonly grpc: GrpcListener;
  private readonly h2: Http2Server;
  private readonly net: NetServer;

  constructor(
    private readonly tcpO: ReturnType<typeof resolveOptions>,
    o: ResolvedGrpcOptions,
    reflection: Awaited<ReturnType<typeof reflectionIndex>> | undefined,
  ) {
    this.h2 = createH2Server({ settings: { initialWindowSize: o.window } });
    this.grpc = new GrpcListener(this.h2, o, reflection);
    this.grpc.accept((s) => this.deliver(s));
    const tls = tcpO.tls;
    this.net = tls
      ? createTlsServer({ ...tls, ALPNProtocols: ['h2', 'tsmicro'], handshakeTimeout: tcpO.handshakeTimeout })
      : createNetServer();
    this.net.maxConnections = tcpO.maxConnections;
    this.net.on('connection', (sock: NetSocket) => {
      this.track(sock);
      if (!tls) this.sniff(sock);
    });
    if (tls) {
      this.net.on('secureConnection', (sock: NetSocket) => {
        // From here the TLS socket is the one to track, in place of the raw socket it wraps.
        forgetRaw(this.undecided, sock, true);
        this.track(sock);
        this.sniff(sock);
      });
      this.net.on('tlsClientError', (e: Error, sock: NetSocket) =>
        tcpO.logger.warn({ listener: this.address, remote: sock.remoteAddress, err: e.message }, 'tsmicro tcp+grpc: TLS handshake failed'),
      );
    }
  }

  /** Holds `sock` among the undecided until its protocol is known (or it closes). */
  private track(sock: NetSocket): void {
    this.undecided.add(sock);
    sock.once('close', () => this.undecided.delete(sock));
    sock.on('error', () => {});
  }

  /**
   * One byte tells the protocols apart; it goes back (unshift) so either reads its whole preface. Read in
   * paused mode: http2 takes over the socket's handle, and data a 'data' listener saw would be lost. A
   * connection that says nothing within the handshake timeout is closed.
   */
  private sniff(sock: NetSocket): void {
    sock.setTimeout(this.tcpO.handshakeTimeout, () => sock.destroy());
    sock.once('readable', () => {
      const first = sock.read(1) as Buffer | null;
      this.undecided.delete(sock);
      sock.setTimeout(0);
      if (first === null) return void sock.destroy();
      sock.unshift(first);
      if (first[0] === MAGIC[0]) this.adoptTcp(sock);
      else this.h2.emit('connection', sock);
    });
  }

  private adoptTcp(sock: NetSocket): void {
    const s = new TcpSocket(sock, this.address, formatAddress(sock.remoteAddress, sock.remotePort), this.tcpO);
    this.tcp.add(s);
    void s.closed.then(() => this.tcp.delete(s));
    s.ready.then(
      () => (this.closing ? void s.close() : this.deliver(s)),
      () => undefined,
    );
  }

  private deliver(s: Socket): void {
    if (!this.handler) return void this.backlog.push(s);
    this.handler(s);
  }

  accept(fn: (s: Socket) => void): void {
    this.handler = fn;
    for (const s of this.backlog.splice(0)) fn(s);
  }

  async listen(address: string): Promise<void> {
    const { host, port } = parseGrpcAddress(address);
    await new Promise<void>((resolve, reject) => {
      this.net.once('error', reject);
      this.net.listen({ host, port }, () => {
        this.net.off('error', reject);
        resolve();
      });
    }).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'EADDRINUSE'
        ? conflict(`address ${address} is already in use`, { cause: e })
        : serviceUnavailable(`cannot listen on ${address}: ${e.message}`, { cause: e });
    });
    const a = this.net.address() as AddressInfo;
    this.address = formatAddress(a.address, a.port);
    this.grpc.address = this.address;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.net.close(() => resolve()));
      for (const r of this.undecided) r.destroy();
      await Promise.allSettled([...this.tcp].map((s) => s.close()));
      await this.grpc.close();
      await stopped;
    })();
    return this.closing;
  }
}

/**
 * A transport serving tsmicro's tcp protocol and gRPC on one port (the preface tells them apart);
 * the address stays `host:port`, so tsmicro clients use the faster tcp protocol and gRPC clients call
 * the same port. Dials `grpc://` addresses over gRPC and the rest over tcp. `createService({ grpc })` uses it.
 * TLS, given as `tcp.tls` or `grpc.tls` (one setting for the port), covers both protocols.
 * @example createServer({ name: 'greeter', transport: tcpWithGrpc({ grpc: { schemas: [file_greeter] } }) })
 */
export function tcpWithGrpc(o: { tcp?: TcpTransportOptions; grpc?: GrpcTransportOptions } = {}): GrpcTransport {
  const tls = onePortTls(o.tcp?.tls, o.grpc?.tls);
  const tcpO = { ...resolveOptions(o.tcp), tls };
  const g = { ...resolveGrpcOptions(o.grpc), tls };
  return {
    name: 'tcp',
    health: g.health,
    dial: (address, d) => (address.startsWith(SCHEME) ? dialGrpc(address, g, d) : dialTcp(address, tcpO, d)),
    async listen(address) {
      const l = new OnePortListener(tcpO, g, g.reflection && g.schema ? await reflectionIndex(g.schema.files) : undefined);
      await l.listen(address);
      if (g.ownsHealth) g.health.set('SERVING');
      return l;
    },
  };
}

/** One port has one TLS setting: either side may give it, both only if it is the same object. */
function onePortTls(tcp: TcpTlsOptions | undefined, grpc: TcpTlsOptions | undefined): TcpTlsOptions | undefined {
  if (tcp && grpc && tcp !== grpc)
    throw badRequest('tcpWithGrpc serves both protocols on one port with one TLS setting: give tls once, as tcp.tls or grpc.tls');
  return tcp ?? grpc;
}
