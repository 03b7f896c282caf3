import { type ClientHttp2Session, type ClientHttp2Stream, constants, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { badRequest, decodeError, encodeError, isMicroError, type MicroError, serviceUnavailable, toMicroError } from '@tsmicro/core';
import { Frame, H, INITIAL_WINDOW } from '../rpc/headers.js';
import type { Message } from '../transport.js';
import { ACCEPT_ENCODING, frameMessage, isKnownEncoding, MessageParser } from './framing.js';
import { Inflow, written } from './inflow.js';
import { writeGrpcMetadata } from './metadata.js';
import { grpcContentType, PROTOBUF, pathOf } from './names.js';
import type { CallHost } from './server-call.js';
import { decodeGrpcMessage, formatGrpcTimeout, fromGrpcStatus, GrpcStatus } from './status.js';
import { unwrapAny, wrapAny } from './wire.js';

const resolved = Promise.resolve();
const empty = new Uint8Array(0);
/** The client's sends are paced by HTTP/2 flow control (`send` resolves on drain), not by RPC credit. */
const NO_CREDIT_LIMIT = String(2 ** 30);

/** gRPC's mapping of an HTTP status without a grpc-status (grpc/doc/http-grpc-status-mapping.md). */
function fromHttpStatus(status: number): number {
  if (status === 401) return GrpcStatus.UNAUTHENTICATED;
  if (status === 403) return GrpcStatus.PERMISSION_DENIED;
  if (status === 404) return GrpcStatus.UNIMPLEMENTED;
  if (status === 429 || status === 502 || status === 503 || status === 504) return GrpcStatus.UNAVAILABLE;
  return status === 400 ? GrpcStatus.INTERNAL : GrpcStatus.UNKNOWN;
}

/** gRPC's mapping of a RST_STREAM code (grpc/doc/PROTOCOL-HTTP2.md). */
function fromRstCode(code: number): number {
  if (code === constants.NGHTTP2_REFUSED_STREAM) return GrpcStatus.UNAVAILABLE;
  if (code === constants.NGHTTP2_CANCEL) return GrpcStatus.CANCELLED;
  if (code === constants.NGHTTP2_ENHANCE_YOUR_CALM) return GrpcStatus.RESOURCE_EXHAUSTED;
  return GrpcStatus.INTERNAL;
}

/** One RPC call made over gRPC: RPC frames out → HTTP/2 request and messages; messages and trailers in → RPC frames. */
export class ClientCall {
  private readonly stream: ClientHttp2Stream | undefined;
  private readonly inflow: Inflow;
  private parser: MessageParser;
  private readonly output: Uint8Array | undefined;
  private readonly proto: boolean;
  private trailers: IncomingHttpHeaders | undefined;
  private httpStatus = 200;
  private done = false;
  /** True once the call is over (it may end while being made: no schema for a protobuf call). */
  get isDone(): boolean {
    return this.done;
  }
  readonly written: Promise<void>;

  constructor(
    private readonly host: CallHost,
    session: ClientHttp2Session,
    private readonly id: string,
    header: Readonly<Record<string, string>>,
    body: Uint8Array,
  ) {
    const o = host.o;
    const codec = header[H.contentType] ?? 'application/json';
    const path = pathOf(header[H.endpoint] ?? '', o.package);
    this.proto = codec === PROTOBUF;
    this.output = this.proto ? o.schema?.method(path)?.outputAny : undefined;
    this.inflow = new Inflow(
      id,
      Number(header[H.window] ?? INITIAL_WINDOW),
      (m) => host.push(m),
      (p) => (p ? this.stream?.pause() : this.stream?.resume()),
    );
    this.parser = new MessageParser(o.maxMessageSize, 'identity');
    if (this.proto && !this.output) {
      this.written = resolved;
      this.fail(
        badRequest(
          `no protobuf schema for ${path}: give grpcTransport({ schemas }) the .proto's generated file, or call with application/json`,
        ),
      );
      return;
    }
    const h: OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': path,
      'content-type': grpcContentType(codec),
      te: 'trailers',
      'grpc-accept-encoding': ACCEPT_ENCODING,
    };
    if (o.compression === 'gzip') h['grpc-encoding'] = 'gzip';
    const ms = header[H.timeout];
    if (ms !== undefined) h['grpc-timeout'] = formatGrpcTimeout(Number(ms));
    writeGrpcMetadata(header, h);
    const stream = session.request(h);
    this.stream = stream;
    stream.on('response', (rh) => this.onResponse(rh));
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('trailers', (t) => {
      this.trailers = t;
    });
    stream.on('close', () => this.onClose());
    stream.on('error', () => {});
    if (header[H.stream] === '1') {
      host.push({ header: { [H.id]: id, [H.frame]: Frame.window, [H.window]: NO_CREDIT_LIMIT }, body: empty });
      this.written = resolved;
    } else this.written = this.write(body, true);
  }

  send(m: Message): Promise<void> {
    switch (m.header[H.frame]) {
      case Frame.data:
        return this.write(m.body, false);
      case Frame.last:
        return this.write(m.body, true);
      case Frame.end:
        this.stream?.end();
        return resolved;
      case Frame.cancel:
        this.done = true;
        this.inflow.clear();
        this.host.forget(this.id);
        if (this.stream && !this.stream.destroyed) this.stream.close(constants.NGHTTP2_CANCEL);
        return resolved;
      case Frame.window:
        this.inflow.grant(Number(m.header[H.window]));
        return resolved;
      default:
        return resolved;
    }
  }

  private write(body: Uint8Array, last: boolean): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.destroyed) return Promise.reject(serviceUnavailable('the gRPC stream is closed'));
    let frame: Buffer;
    try {
      frame = frameMessage(this.proto ? unwrapAny(body) : body, this.host.o.compression, this.host.o.maxMessageSize);
    } catch (e) {
      return Promise.reject(e);
    }
    const ok = stream.write(frame);
    if (last) stream.end();
    return written(stream, ok);
  }

  private onResponse(rh: IncomingHttpHeaders): void {
    this.httpStatus = Number(rh[':status']);
    const enc = String(rh['grpc-encoding'] ?? 'identity');
    if (isKnownEncoding(enc)) this.parser = new MessageParser(this.host.o.maxMessageSize, enc);
    if (rh['grpc-status'] !== undefined) this.trailers = rh;
  }

  private onData(chunk: Buffer): void {
    if (this.done) return;
    let msgs: Uint8Array[];
    try {
      msgs = this.parser.push(chunk);
    } catch (e) {
      this.fail(isMicroError(e) ? e : toMicroError(e));
      this.stream?.close(constants.NGHTTP2_CANCEL);
      return;
    }
    for (const m of msgs) this.inflow.message(this.output ? wrapAny(this.output, m) : m);
  }

  private onClose(): void {
    if (this.done) return;
    const t = this.trailers;
    const status = t?.['grpc-status'];
    if (status === '0') {
      this.done = true;
      this.host.forget(this.id);
      this.inflow.finish({ header: { [H.id]: this.id, [H.frame]: Frame.end }, body: empty });
      return;
    }
    if (status !== undefined) {
      const me = t?.['micro-error'];
      const msg = decodeGrpcMessage(String(t?.['grpc-message'] ?? ''));
      return void this.fail(typeof me === 'string' ? decodeError(decodeGrpcMessage(me)) : fromGrpcStatus(Number(status), msg));
    }
    if (this.httpStatus !== 200)
      return void this.fail(fromGrpcStatus(fromHttpStatus(this.httpStatus), `HTTP status ${this.httpStatus} from a gRPC peer`));
    const rst = this.stream?.rstCode ?? constants.NGHTTP2_INTERNAL_ERROR;
    this.fail(fromGrpcStatus(fromRstCode(rst), `the gRPC stream was reset (code ${rst}) without a status`));
  }

  private fail(e: MicroError): void {
    this.done = true;
    this.host.forget(this.id);
    this.inflow.finish({ header: { [H.id]: this.id, [H.frame]: Frame.error, [H.error]: encodeError(e) }, body: empty });
  }
}
