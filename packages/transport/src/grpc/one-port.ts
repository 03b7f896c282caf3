import { createServer as createH2Server } from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Socket as NetSocket } from 'node:net';
import { badRequest, conflict, serviceUnavailable } from '@tsmicro/core';
import { formatAddress } from '../tcp/address.js';
import { dial as dialTcp } from '../tcp/dial.js';
import { resolveOptions, type TcpTransportOptions } from '../tcp/options.js';
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
 * serves `PRI * HTTP/2.0` prefaces and closes everything else). Plaintext only (no TLS).
 */
class OnePortListener implements Listener {
  address = '';
  readonly metadata = BOTH;
  private handler: ((s: Socket) => void) | undefined;
  private backlog: Socket[] = [];
  private readonly raw = new Set<NetSocket>();
  private readonly tcp = new Set<TcpSocket>();
  private closing: Promise<void> | undefined;
  private readonly grpc: GrpcListener;
  private readonly net = createNetServer();

  constructor(
    private readonly tcpO: ReturnType<typeof resolveOptions>,
    o: ResolvedGrpcOptions,
    reflection: Awaited<ReturnType<typeof reflectionIndex>> | undefined,
  ) {
    const h2 = createH2Server({ settings: { initialWindowSize: o.window } });
    this.grpc = new GrpcListener(h2, o, reflection);
    this.grpc.accept((s) => this.deliver(s));
    this.net.maxConnections = tcpO.maxConnections;
    this.net.on('connection', (sock: NetSocket) => {
      this.raw.add(sock);
      sock.once('close', () => this.raw.delete(sock));
      sock.on('error', () => {});
      // One byte tells them apart; it goes back (unshift) so either protocol reads its whole preface.
      // Read in paused mode: http2 takes over the socket's handle, and data a 'data' listener saw would be lost.
      sock.once('readable', () => {
        const first = sock.read(1) as Buffer | null;
        this.raw.delete(sock);
        if (first === null) return void sock.destroy();
        sock.unshift(first);
        if (first[0] === MAGIC[0]) this.adoptTcp(sock);
        else h2.emit('connection', sock);
      });
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
      for (const r of this.raw) r.destroy();
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
 * @example createServer({ name: 'greeter', transport: tcpWithGrpc({ grpc: { schemas: [file_greeter] } }) })
 */
export function tcpWithGrpc(o: { tcp?: TcpTransportOptions; grpc?: GrpcTransportOptions } = {}): GrpcTransport {
  const tcpO = resolveOptions(o.tcp);
  const g = resolveGrpcOptions(o.grpc);
  return {
    name: 'tcp',
    health: g.health,
    dial: (address, d) => (address.startsWith(SCHEME) ? dialGrpc(address, g, d) : dialTcp(address, tcpO, d)),
    async listen(address) {
      if (g.tls)
        throw badRequest(
          'tcpWithGrpc serves gRPC in plaintext on the tcp port: for gRPC over TLS, listen with grpcTransport({ tls }) on a port of its own',
        );
      const l = new OnePortListener(tcpO, g, g.reflection && g.schema ? await reflectionIndex(g.schema.files) : undefined);
      await l.listen(address);
      if (g.ownsHealth) g.health.set('SERVING');
      return l;
    },
  };
}
