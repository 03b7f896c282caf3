import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { packAny } from '@tsmicro/codec';
import { badRequest, decodeError, encodeError, type MicroError } from '@tsmicro/core';
import { Frame, H, INITIAL_WINDOW } from '../rpc/headers.js';
import type { Message } from '../transport.js';
import { ACCEPT_ENCODING, frameForSend, type GrpcEncoding, MessageParser, responseEncoding } from './framing.js';
import { Inflow, written } from './inflow.js';
import { readGrpcMetadata, UNARY_HINT, writeGrpcMetadata } from './metadata.js';
import type { ResolvedGrpcOptions } from './options.js';
import type { ProtoMethod } from './schema.js';
import { encodeGrpcMessage, parseGrpcTimeout, toGrpcStatus } from './status.js';

/** What a call needs from its connection. */
export interface CallHost {
  readonly o: ResolvedGrpcOptions;
  /** Hands a frame to the RPC layer. */
  push(m: Message): void;
  /** The call is over: drop it from the connection's table. */
  forget(id: string): void;
}

/** What a server call needs from its connection besides {@link CallHost}. */
export interface ServerCallHost extends CallHost {
  /** The response headers of a content type and encoding ({@link responseHeaders}, cached). */
  headers(contentType: string, encoding: GrpcEncoding): OutgoingHttpHeaders;
}

/** The call's request as the transport understood it. */
export interface ServerCallInit {
  readonly id: string;
  readonly endpoint: string;
  /** The tsmicro codec content type (`application/json`, `application/protobuf`…). */
  readonly codec: string;
  /** The request's gRPC content type, echoed in the response. */
  readonly contentType: string;
  readonly encoding: GrpcEncoding;
  readonly method: ProtoMethod | undefined;
}

/** The server never waits for RPC credit: HTTP/2 flow control paces the responses (`send` resolves on drain). */
const NO_CREDIT_LIMIT = String(2 ** 30);
const resolved = Promise.resolve();
const EMPTY = new Uint8Array(0);
const OK_TRAILERS: OutgoingHttpHeaders = Object.freeze({ 'grpc-status': '0' });
/** gRPC has no use for a `date` header on every response; leaving it out saves encoding and decoding it. */
const WITH_TRAILERS = Object.freeze({ waitForTrailers: true, sendDate: false });
const TRAILERS_ONLY = Object.freeze({ endStream: true, sendDate: false });

/** The call a stream serves: the stream's listeners are shared functions (no closures per call), and find their call here. */
const CALL = Symbol('tsmicro.grpc.serverCall');
type CallStream = ServerHttp2Stream & { [CALL]: ServerCall };
function onStreamData(this: CallStream, chunk: Buffer): void {
  this[CALL].onData(chunk);
}
function onStreamEnd(this: CallStream): void {
  this[CALL].onEnd();
}
function onStreamClose(this: CallStream): void {
  this[CALL].onClose();
}
function onStreamWantTrailers(this: CallStream): void {
  if (!this.destroyed) this.sendTrailers(this[CALL].trailers);
}
function ignore(): void {}

/** Response headers of a content type and encoding, made once per connection (node:http2 copies what it is given). */
export function responseHeaders(contentType: string, encoding: GrpcEncoding): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = { ':status': 200, 'content-type': contentType, 'grpc-accept-encoding': ACCEPT_ENCODING };
  if (encoding !== 'identity') h['grpc-encoding'] = encoding;
  return Object.freeze(h);
}

/**
 * Trailers of a call's status (`micro-error` carries the full MicroError, so a tsmicro peer gets it
 * back unchanged), with the handler's trailer metadata (`ctx.setTrailer`) from the RPC frame's header.
 */
export function statusTrailers(e: MicroError | undefined, header?: Readonly<Record<string, string>>): OutgoingHttpHeaders {
  const t: OutgoingHttpHeaders = e
    ? {
        'grpc-status': String(toGrpcStatus(e)),
        'grpc-message': encodeGrpcMessage(e.detail),
        'micro-error': encodeGrpcMessage(encodeError(e)),
      }
    : OK_TRAILERS;
  if (header === undefined || !hasMetadata(header)) return t;
  const out = { ...t };
  writeGrpcMetadata(header, out);
  return out;
}

/** True when an RPC header holds user metadata (a lower-case key): the common answer has none, and keeps the shared OK trailers. */
function hasMetadata(header: Readonly<Record<string, string>>): boolean {
  for (const k in header) {
    const c = k.charCodeAt(0);
    if (c < 65 || c > 90) return true;
  }
  return false;
}

/**
 * One gRPC call served through the RPC layer: HTTP/2 request → request/data/end/cancel frames in,
 * data/last/end/error frames out → gRPC messages and trailers.
 */
export class ServerCall {
  private readonly parser: MessageParser;
  /** Made when the request turns out to be a stream (a unary request goes as one frame, without it). */
  private inflow: Inflow | undefined;
  private requested = false;
  /** The request went to the RPC layer as one unary frame: the end of stream that follows needs no frame. */
  private sentUnary = false;
  /** A first message held back a moment: if the end of stream follows at once, the call goes as one unary request frame. */
  private held: Uint8Array | undefined;
  private headersSent = false;
  private ended = false;
  /** What the stream's `wantTrailers` sends. */
  trailers: OutgoingHttpHeaders = OK_TRAILERS;
  private readonly outEncoding: GrpcEncoding;

  constructor(
    private readonly host: ServerCallHost,
    private readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    private readonly init: ServerCallInit,
  ) {
    const o = host.o;
    this.parser = new MessageParser(o.maxMessageSize, init.encoding);
    this.outEncoding = responseEncoding(o.compression, headers['grpc-accept-encoding'] as string | undefined);
    (stream as CallStream)[CALL] = this;
    stream.on('data', onStreamData);
    stream.on('end', onStreamEnd);
    stream.on('close', onStreamClose);
    stream.on('error', ignore);
    stream.on('wantTrailers', onStreamWantTrailers);
  }

  /** The inflow of a streamed request, made on its first use. */
  private flow(): Inflow {
    this.inflow ??= new Inflow(
      this.init.id,
      INITIAL_WINDOW,
      (m) => this.host.push(m),
      (p) => (p ? this.stream.pause() : this.stream.resume()),
    );
    return this.inflow;
  }

  /** A frame the RPC layer sends on this call. */
  send(m: Message): Promise<void> {
    switch (m.header[H.frame]) {
      case Frame.data:
        return this.write(m.body, false);
      case Frame.last:
        this.trailers = statusTrailers(undefined, m.header);
        return this.write(m.body, true);
      case Frame.end:
        this.finish(undefined, m.header);
        return resolved;
      case Frame.error:
        this.finish(decodeError(m.header[H.error] ?? ''), m.header);
        return resolved;
      case Frame.window:
        this.flow().grant(Number(m.header[H.window]));
        return resolved;
      default:
        return resolved;
    }
  }

  private write(body: Uint8Array, last: boolean): Promise<void> {
    if (this.ended || this.stream.destroyed) return Promise.reject(new Error('the gRPC call is over'));
    const frame = frameForSend(body, this.init.method !== undefined, this.outEncoding, this.host.o.maxMessageSize);
    if (frame instanceof Promise) return frame;
    if (!this.headersSent) {
      this.headersSent = true;
      this.stream.respond(this.host.headers(this.init.contentType, this.outEncoding), WITH_TRAILERS);
    }
    if (!last) return written(this.stream, this.stream.write(frame));
    // The last message and the end of the stream in one write; `wantTrailers` then sends OK.
    this.ended = true;
    this.inflow?.clear();
    this.stream.end(frame);
    return resolved;
  }

  /** Ends the call with trailers: OK, or the error, and the handler's trailer metadata in `header`. */
  finish(e: MicroError | undefined, header?: Readonly<Record<string, string>>): void {
    if (this.ended) return;
    this.ended = true;
    this.inflow?.clear();
    const trailers = statusTrailers(e, header);
    if (this.stream.destroyed || this.stream.closed) return;
    if (!this.headersSent) {
      // Trailers-only: the status goes in the one HEADERS frame, which ends the stream.
      this.headersSent = true;
      this.stream.respond({ ':status': 200, 'content-type': this.init.contentType, ...trailers }, TRAILERS_ONLY);
      return;
    }
    this.trailers = trailers;
    this.stream.end();
  }

  private request(unaryBody: Uint8Array | undefined): void {
    this.requested = true;
    this.sentUnary = unaryBody !== undefined;
    const h: Record<string, string> = {
      [H.id]: this.init.id,
      [H.frame]: Frame.request,
      [H.endpoint]: this.init.endpoint,
      [H.contentType]: this.init.codec,
      [H.window]: NO_CREDIT_LIMIT,
    };
    if (unaryBody === undefined) h[H.stream] = '1';
    const t = this.headers['grpc-timeout'];
    if (t !== undefined) {
      const ms = parseGrpcTimeout(t as string);
      if (ms !== undefined) h[H.timeout] = String(ms);
    }
    readGrpcMetadata(this.headers, h);
    this.host.push({ header: h, body: unaryBody ?? EMPTY });
  }

  /** DATA from the client (a listener of the stream). */
  onData(chunk: Buffer): void {
    if (this.ended) return;
    const msgs = this.parser.tryPush(chunk);
    if (!Array.isArray(msgs)) return void this.refuse(msgs);
    const method = this.init.method;
    for (const raw of msgs) {
      const body = method ? packAny(method.inputAny, raw) : raw;
      if (this.requested) this.flow().message(body);
      else if (this.held === undefined && !method?.clientStreams) {
        this.held = body;
        if (method) continue;
        // A tsmicro client says its call is unary: no need to wait for the end of stream.
        if (this.headers[UNARY_HINT] === '1') {
          this.request(this.takeHeld());
          continue;
        }
        // Unknown kind (no schema): a unary client ends its stream right after the message; wait past this read for that end.
        setImmediate(() => this.flushHeld());
      } else {
        this.request(undefined);
        this.flushHeld();
        this.flow().message(body);
      }
    }
  }

  private takeHeld(): Uint8Array | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }

  private flushHeld(): void {
    if (this.held === undefined || this.ended) return;
    const held = this.takeHeld() as Uint8Array;
    if (!this.requested) this.request(undefined);
    this.flow().message(held);
  }

  /** The client's end of stream (a listener of the stream). */
  onEnd(): void {
    if (this.ended) return;
    if (this.parser.partial) return void this.refuse(badRequest('the gRPC request ended inside a message'));
    if (!this.requested) {
      const held = this.takeHeld();
      if (held !== undefined) return void this.request(held);
      this.request(undefined);
    } else if (this.sentUnary) return;
    this.flow().finish({ header: { [H.id]: this.init.id, [H.frame]: Frame.end }, body: EMPTY });
  }

  /** A bad request: answered with its status at once, and the handler (if running) cancelled. */
  private refuse(e: MicroError): void {
    if (this.requested) this.host.push({ header: { [H.id]: this.init.id, [H.frame]: Frame.cancel }, body: EMPTY });
    this.finish(e);
  }

  /** The stream closed (a listener of the stream). */
  onClose(): void {
    this.host.forget(this.init.id);
    if (this.ended) return;
    // Reset by the client (or the connection died) before the call was answered: the handler is aborted.
    this.ended = true;
    this.inflow?.clear();
    if (this.requested) this.host.push({ header: { [H.id]: this.init.id, [H.frame]: Frame.cancel }, body: EMPTY });
  }
}
