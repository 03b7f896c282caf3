import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import { H } from '../rpc/headers.js';
import type { Message } from '../transport.js';
import { ACCEPT_ENCODING, type GrpcEncoding, isKnownEncoding } from './framing.js';
import { healthCheck, healthWatch } from './health.js';
import { keepSessionAlive } from './keepalive.js';
import { codecContentType, endpointOf, PROTOBUF } from './names.js';
import type { ResolvedGrpcOptions } from './options.js';
import type { ReflectionIndex } from './reflection.js';
import { reflectionInfo } from './reflection.js';
import { responseHeaders, ServerCall, type ServerCallHost } from './server-call.js';
import { SessionSocket } from './session-socket.js';
import { encodeGrpcMessage, GrpcStatus } from './status.js';
import { StdCall, type StdHandlers } from './std-call.js';

const resolved = Promise.resolve();

/** Answers a request that is not gRPC with a plain HTTP status and a line of text. */
function refuseHttp(stream: ServerHttp2Stream, status: number, text: string): void {
  stream.on('error', () => {});
  stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8' });
  stream.end(`${text}\n`);
}

/** Answers a gRPC call with a status and no message (a trailers-only response). */
function refuseGrpc(stream: ServerHttp2Stream, contentType: string, status: number, message: string, extra = {}): void {
  stream.on('error', () => {});
  stream.respond(
    { ':status': 200, 'content-type': contentType, 'grpc-status': String(status), 'grpc-message': encodeGrpcMessage(message), ...extra },
    { endStream: true },
  );
}

/**
 * One accepted HTTP/2 connection as a tsmicro Socket: each gRPC call becomes an RPC call
 * (request, data, end, cancel frames in), and the RPC layer's answers become gRPC messages and
 * trailers. The standard services (health, reflection) are answered here, without the RPC layer.
 */
export class GrpcServerSocket extends SessionSocket<ServerCall> implements ServerCallHost {
  private readonly std = new Set<StdCall>();
  /** Response headers by content type (and encoding); capped, since the content type is the client's. */
  private readonly responseHeaders = new Map<string, OutgoingHttpHeaders>();
  private nextId = 1;
  private readonly stopKeepalive: () => void;

  constructor(
    session: ServerHttp2Session,
    local: string,
    remote: string,
    o: ResolvedGrpcOptions,
    private readonly reflection: ReflectionIndex | undefined,
  ) {
    super(session, local, remote, o);
    session.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => this.onStream(stream, headers));
    this.stopKeepalive = keepSessionAlive(session, o.keepaliveInterval, o.keepaliveTimeout);
  }

  protected override onSessionClose(): void {
    this.stopKeepalive();
    for (const c of this.std) c.finish(GrpcStatus.UNAVAILABLE, 'the server closed');
  }

  headers(contentType: string, encoding: GrpcEncoding): OutgoingHttpHeaders {
    const key = encoding === 'identity' ? contentType : `${contentType} ${encoding}`;
    let h = this.responseHeaders.get(key);
    if (h === undefined) {
      h = responseHeaders(contentType, encoding);
      if (this.responseHeaders.size < 16) this.responseHeaders.set(key, h);
    }
    return h;
  }

  send(m: Message): Promise<void> {
    const id = m.header[H.id];
    const call = id === undefined ? undefined : this.calls.get(id);
    if (call) return call.send(m);
    if (this.closing || this.session.destroyed) return Promise.reject(this.closedError());
    return resolved;
  }

  /** Ends health watches, lets calls in flight finish (up to `closeTimeout`), then destroys the connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Watchers hear NOT_SERVING before their stream ends (a service flips it earlier, when its stop begins).
      if (this.o.ownsHealth) this.o.health.set('NOT_SERVING');
      for (const c of this.std) c.finish(GrpcStatus.UNAVAILABLE, 'the server is stopping');
      await this.closeSession();
    })();
    return this.closing;
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    if (headers[':method'] !== 'POST')
      return void refuseHttp(stream, 405, 'this port speaks gRPC: calls are POST requests with content-type application/grpc');
    const contentType = String(headers['content-type'] ?? '');
    const codec = codecContentType(contentType);
    if (!codec)
      return void refuseHttp(stream, 415, `content-type '${contentType}' is not gRPC: use application/grpc or application/grpc+json`);
    const encoding = String(headers['grpc-encoding'] ?? 'identity');
    if (!isKnownEncoding(encoding)) {
      const detail = `grpc-encoding '${encoding}' is not supported: use one of ${ACCEPT_ENCODING}`;
      return void refuseGrpc(stream, contentType, GrpcStatus.UNIMPLEMENTED, detail, { 'grpc-accept-encoding': ACCEPT_ENCODING });
    }
    const path = String(headers[':path'] ?? '');
    const std = this.standard(path);
    if (std) {
      if (codec !== PROTOBUF)
        return void refuseGrpc(stream, contentType, GrpcStatus.UNIMPLEMENTED, `${path} is served as application/grpc only`);
      const call = new StdCall(stream, encoding, this.o.maxMessageSize, std);
      this.std.add(call);
      stream.once('close', () => this.std.delete(call));
      return;
    }
    if (this.closing) return void refuseGrpc(stream, contentType, GrpcStatus.UNAVAILABLE, 'the server is stopping');
    const method = codec === PROTOBUF ? this.o.schema?.method(path) : undefined;
    if (codec === PROTOBUF && !method) {
      const detail = `no protobuf schema for ${path} here: call it as application/grpc+json, or give the server its .proto schemas`;
      return void refuseGrpc(stream, contentType, GrpcStatus.UNIMPLEMENTED, detail);
    }
    const endpoint = method?.endpoint ?? endpointOf(path);
    if (!endpoint)
      return void refuseGrpc(
        stream,
        contentType,
        GrpcStatus.UNIMPLEMENTED,
        `malformed gRPC path '${path}': expected /package.Service/Method`,
      );
    const id = String(this.nextId++);
    this.calls.set(id, new ServerCall(this, stream, headers, { id, endpoint, codec, contentType, encoding, method }));
  }

  /** The handlers of a standard service's path, if it is one. */
  private standard(path: string): StdHandlers | undefined {
    const health = this.o.health;
    const known = (n: string) => health.knows(n) || (this.o.schema?.services.includes(n) ?? false);
    if (path === '/grpc.health.v1.Health/Check') return healthCheck(health, known);
    if (path === '/grpc.health.v1.Health/Watch') return healthWatch(health, known);
    const reflection = this.reflection;
    if (
      reflection &&
      (path === '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo' ||
        path === '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo')
    )
      return reflectionInfo(reflection);
    return undefined;
  }
}
