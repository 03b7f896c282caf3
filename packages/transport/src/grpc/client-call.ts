import { type ClientHttp2Session, type ClientHttp2Stream, constants, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { packAny } from '@tsmicro/codec';
import { badRequest, decodeError, encodeError, type MicroError, serviceUnavailable } from '@tsmicro/core';
import { Frame, H, INITIAL_WINDOW } from '../rpc/headers.js';
import type { Message } from '../transport.js';
import { ACCEPT_ENCODING, frameForSend, isKnownEncoding, MessageParser } from './framing.js';
import { Inflow, written } from './inflow.js';
import { UNARY_HINT, writeGrpcMetadata } from './metadata.js';
import { grpcContentType, PROTOBUF, pathOf } from './names.js';
import type { CallHost } from './server-call.js';
import { decodeGrpcMessage, formatGrpcTimeout, fromGrpcStatus, GrpcStatus } from './status.js';

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

/** Every request asks for trailers, and may go before the rest of its body (`stream.end(frame)` then sends it). */
const REQUEST_OPTIONS = Object.freeze({ endStream: false });

/** The call a stream carries: the stream's listeners are shared functions (no closures per call), and find their call here. */
const CALL = Symbol('tsmicro.grpc.clientCall');
type CallStream = ClientHttp2Stream & { [CALL]: ClientCall };
function onStreamResponse(this: CallStream, rh: IncomingHttpHeaders): void {
  this[CALL].onResponse(rh);
}
function onStreamData(this: CallStream, chunk: Buffer): void {
  this[CALL].onData(chunk);
}
function onStreamTrailers(this: CallStream, t: IncomingHttpHeaders): void {
  this[CALL].onTrailers(t);
}
function onStreamClose(this: CallStream): void {
  this[CALL].onClose();
}
function ignore(): void {}

/** One RPC call made over gRPC: RPC frames out → HTTP/2 request and messages; messages and trailers in → RPC frames. */
export class ClientCall {
  private readonly stream: ClientHttp2Stream | undefined;
  /** Made when the answer may hold more than one message (a stream); a unary answer goes up as one `last` frame. */
  private inflow: Inflow | undefined;
  private parser: MessageParser;
  private readonly output: Uint8Array | undefined;
  private readonly proto: boolean;
  private readonly unary: boolean;
  /** RPC credit the caller opened the call with (`Micro-Window`). */
  private readonly window: number;
  /** The one message of a unary answer, held until the status says it succeeded. */
  private answer: Uint8Array | undefined;
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
    const endpoint = header[H.endpoint] ?? '';
    const path = o.schema?.path(endpoint, o.package) ?? pathOf(endpoint, o.package);
    this.proto = codec === PROTOBUF;
    this.unary = header[H.stream] !== '1';
    this.window = Number(header[H.window] ?? INITIAL_WINDOW);
    this.output = this.proto ? o.schema?.method(path)?.outputAny : undefined;
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
    if (o.compression !== 'identity') h['grpc-encoding'] = o.compression;
    if (this.unary && !this.proto) h[UNARY_HINT] = '1';
    const ms = header[H.timeout];
    if (ms !== undefined) h['grpc-timeout'] = formatGrpcTimeout(Number(ms));
    writeGrpcMetadata(header, h);
    const stream = session.request(h, REQUEST_OPTIONS);
    this.stream = stream;
    (stream as CallStream)[CALL] = this;
    stream.on('response', onStreamResponse);
    stream.on('data', onStreamData);
    stream.on('trailers', onStreamTrailers);
    stream.on('close', onStreamClose);
    stream.on('error', ignore);
    if (this.unary) this.written = this.write(body, true);
    else {
      host.push({ header: { [H.id]: id, [H.frame]: Frame.window, [H.window]: NO_CREDIT_LIMIT }, body: empty });
      this.written = resolved;
    }
  }

  /** The inflow of a streamed answer, made on its first use. */
  private flow(): Inflow {
    this.inflow ??= new Inflow(
      this.id,
      this.window,
      (m) => this.host.push(m),
      (p) => (p ? this.stream?.pause() : this.stream?.resume()),
    );
    return this.inflow;
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
        this.inflow?.clear();
        this.host.forget(this.id);
        if (this.stream && !this.stream.destroyed) this.stream.close(constants.NGHTTP2_CANCEL);
        return resolved;
      case Frame.window:
        this.flow().grant(Number(m.header[H.window]));
        return resolved;
      default:
        return resolved;
    }
  }

  private write(body: Uint8Array, last: boolean): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.destroyed) return Promise.reject(serviceUnavailable('the gRPC stream is closed'));
    const frame = frameForSend(body, this.proto, this.host.o.compression, this.host.o.maxMessageSize);
    if (frame instanceof Promise) return frame;
    if (!last) return written(stream, stream.write(frame));
    // The last message and the end of the stream in one write.
    stream.end(frame);
    return resolved;
  }

  /** The response headers (a listener of the stream). */
  onResponse(rh: IncomingHttpHeaders): void {
    this.httpStatus = Number(rh[':status']);
    const enc = rh['grpc-encoding'];
    if (typeof enc === 'string' && enc !== 'identity' && isKnownEncoding(enc))
      this.parser = new MessageParser(this.host.o.maxMessageSize, enc);
    if (rh['grpc-status'] !== undefined) this.trailers = rh;
  }

  /** The response trailers (a listener of the stream). */
  onTrailers(t: IncomingHttpHeaders): void {
    this.trailers = t;
  }

  /** DATA from the server (a listener of the stream). */
  onData(chunk: Buffer): void {
    if (this.done) return;
    const msgs = this.parser.tryPush(chunk);
    if (!Array.isArray(msgs)) {
      this.fail(msgs);
      this.stream?.close(constants.NGHTTP2_CANCEL);
      return;
    }
    for (const m of msgs) {
      const body = this.output ? packAny(this.output, m) : m;
      if (this.unary && this.answer === undefined && this.inflow === undefined) this.answer = body;
      else {
        // More than one message on a unary call goes up as it came: the RPC layer refuses the second.
        const held = this.answer;
        this.answer = undefined;
        if (held !== undefined) this.flow().message(held);
        this.flow().message(body);
      }
    }
  }

  /** The stream closed: its status ends the call (a listener of the stream). */
  onClose(): void {
    if (this.done) return;
    const t = this.trailers;
    const status = t?.['grpc-status'];
    if (status === '0') {
      this.done = true;
      this.host.forget(this.id);
      const answer = this.answer;
      if (answer !== undefined) {
        this.answer = undefined;
        return void this.host.push({ header: { [H.id]: this.id, [H.frame]: Frame.last }, body: answer });
      }
      this.flow().finish({ header: { [H.id]: this.id, [H.frame]: Frame.end }, body: empty });
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
    this.answer = undefined;
    this.host.forget(this.id);
    this.flow().finish({ header: { [H.id]: this.id, [H.frame]: Frame.error, [H.error]: encodeError(e) }, body: empty });
  }
}
