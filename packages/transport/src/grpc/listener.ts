import { createSecureServer, createServer, type Http2SecureServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { conflict, serviceUnavailable } from '@tsmicro/core';
import type { Listener, Socket } from '../transport.js';
import { formatGrpcAddress, parseGrpcAddress } from './address.js';
import type { ResolvedGrpcOptions } from './options.js';
import { reflectionIndex } from './reflection.js';
import { GrpcServerSocket } from './server-socket.js';

/** What the node record says about a listener speaking gRPC (docs/grpc.md, "Discovery"). */
export const GRPC_NODE_METADATA: Readonly<Record<string, string>> = { protocols: 'grpc' };

/** An HTTP/2 server whose connections become {@link GrpcServerSocket}s; `grpc://host:port` is its address. */
export class GrpcListener implements Listener {
  address = '';
  readonly metadata = GRPC_NODE_METADATA;
  private handler: ((s: Socket) => void) | undefined;
  private backlog: Socket[] = [];
  private readonly sockets = new Set<GrpcServerSocket>();
  private closing: Promise<void> | undefined;

  constructor(
    readonly server: Http2Server | Http2SecureServer,
    private readonly o: ResolvedGrpcOptions,
    reflection: Awaited<ReturnType<typeof reflectionIndex>> | undefined,
  ) {
    server.on('session', (session: ServerHttp2Session) => this.adopt(session, reflection));
    server.on('sessionError', () => {});
  }

  /** Makes a socket of an HTTP/2 session (also used by the one-port listener that sniffs the preface). */
  adopt(session: ServerHttp2Session, reflection: Awaited<ReturnType<typeof reflectionIndex>> | undefined): void {
    if (this.closing) return void session.destroy();
    session.setLocalWindowSize(this.o.window);
    const sock = session.socket;
    const remote = `${sock.remoteAddress}:${sock.remotePort}`;
    const s = new GrpcServerSocket(session, this.address, remote, this.o, reflection);
    this.sockets.add(s);
    void s.closed.then(() => this.sockets.delete(s));
    if (!this.handler) return void this.backlog.push(s);
    this.handler(s);
  }

  accept(fn: (s: Socket) => void): void {
    this.handler = fn;
    for (const s of this.backlog.splice(0)) fn(s);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.o.ownsHealth) this.o.health.set('NOT_SERVING');
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      await Promise.allSettled([...this.sockets].map((s) => s.close()));
      await stopped;
    })();
    return this.closing;
  }
}

/** Binds `address` (`grpc://host:port` or `host:port`) with an HTTP/2 server: h2c, or h2 over TLS when `o.tls` is set. */
export async function listenGrpc(address: string, o: ResolvedGrpcOptions): Promise<GrpcListener> {
  const { host, port } = parseGrpcAddress(address);
  const reflection = o.reflection && o.schema ? await reflectionIndex(o.schema.files) : undefined;
  const settings = { initialWindowSize: o.window };
  const server = o.tls ? createSecureServer({ ...o.tls, ALPNProtocols: ['h2'], settings }) : createServer({ settings });
  const l = new GrpcListener(server, o, reflection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'EADDRINUSE'
      ? conflict(`address ${address} is already in use`, { cause: e })
      : serviceUnavailable(`cannot listen on ${address}: ${e.message}`, { cause: e });
  });
  server.on('error', (e) => o.logger.error({ err: e.message }, 'tsmicro grpc: listener error'));
  const bound = server.address() as AddressInfo;
  l.address = formatGrpcAddress(bound.address, bound.port);
  if (o.ownsHealth) o.health.set('SERVING');
  return l;
}
