import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { badRequest, decodeError, encodeError, isMicroError, type MicroError, toMicroError } from '@tsmicro/core';
import { Frame, H, INITIAL_WINDOW } from '../rpc/headers.js';
import type { Message } from '../transport.js';
import { ACCEPT_ENCODING, frameMessage, type GrpcEncoding, MessageParser } from './framing.js';
import { Inflow, written } from './inflow.js';
import { readGrpcMetadata } from './metadata.js';
import type { ResolvedGrpcOptions } from './options.js';
import type { ProtoMethod } from './schema.js';
import { encodeGrpcMessage, parseGrpcTimeout, toGrpcStatus } from './status.js';
import { unwrapAny, wrapAny } from './wire.js';

/** What a call needs from its connection. */
export interface CallHost {
  readonly o: ResolvedGrpcOptions;
  /** Hands a frame to the RPC layer. */
  push(m: Message): void;
  /** The call is over: drop it from the connection's table. */
  forget(id: string): void;
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

/** Trailers of a call's status (`micro-error` carries the full MicroError, so a tsmicro peer gets it back unchanged). */
export function statusTrailers(e: MicroError | undefined): OutgoingHttpHeaders {
  if (!e) return { 'grpc-status': '0' };
  return {
    'grpc-status': String(toGrpcStatus(e)),
    'grpc-message': encodeGrpcMessage(e.detail),
    'micro-error': encodeGrpcMessage(encodeError(e)),
  };
}

/**
 * One gRPC call served through the RPC layer: HTTP/2 request → request/data/end/cancel frames in,
 * data/last/end/error frames out → gRPC messages and trailers.
 */
export class ServerCall {
  private readonly parser: MessageParser;
  private readonly inflow: Inflow;
  private requested = false;
  /** A first message held back a moment: if the end of stream follows at once, the call goes as one unary request frame. */
  private held: Uint8Array | undefined;
  private headersSent = false;
  private ended = false;
  private trailers: OutgoingHttpHeaders = {};
  private readonly outEncoding: GrpcEncoding;

  constructor(
    private readonly host: CallHost,
    private readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    private readonly init: ServerCallInit,
  ) {
    const o = host.o;
    this.parser = new MessageParser(o.maxMessageSize, init.encoding);
    this.inflow = new Inflow(
      init.id,
      INITIAL_WINDOW,
      (m) => host.push(m),
      (p) => (p ? stream.pause() : stream.resume()),
    );
    const accepts = String(headers['grpc-accept-encoding'] ?? '').includes('gzip');
    this.outEncoding = o.compression === 'gzip' && accepts ? 'gzip' : 'identity';
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.onEnd());
    stream.on('close', () => this.onClose());
    stream.on('error', () => {});
    stream.on('wantTrailers', () => {
      if (!stream.destroyed) stream.sendTrailers(this.trailers);
    });
  }

  /** A frame the RPC layer sends on this call. */
  send(m: Message): Promise<void> {
    switch (m.header[H.frame]) {
      case Frame.data:
        return this.write(m.body, false);
      case Frame.last:
        return this.write(m.body, true);
      case Frame.end:
        this.finish(undefined);
        return resolved;
      case Frame.error:
        this.finish(decodeError(m.header[H.error] ?? ''));
        return resolved;
      case Frame.window:
        this.inflow.grant(Number(m.header[H.window]));
        return resolved;
      default:
        return resolved;
    }
  }

  private write(body: Uint8Array, last: boolean): Promise<void> {
    if (this.ended || this.stream.destroyed) return Promise.reject(new Error('the gRPC call is over'));
    let frame: Buffer;
    try {
      frame = frameMessage(this.init.method ? unwrapAny(body) : body, this.outEncoding, this.host.o.maxMessageSize);
    } catch (e) {
      return Promise.reject(e);
    }
    this.respond();
    const ok = this.stream.write(frame);
    if (last) this.finish(undefined);
    return written(this.stream, ok);
  }

  private respond(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const h: OutgoingHttpHeaders = { ':status': 200, 'content-type': this.init.contentType, 'grpc-accept-encoding': ACCEPT_ENCODING };
    if (this.outEncoding === 'gzip') h['grpc-encoding'] = 'gzip';
    this.stream.respond(h, { waitForTrailers: true });
  }

  /** Ends the call with trailers: OK, or the error. */
  finish(e: MicroError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.inflow.clear();
    const trailers = statusTrailers(e);
    if (this.stream.destroyed || this.stream.closed) return;
    if (!this.headersSent) {
      this.headersSent = true;
      this.stream.respond({ ':status': 200, 'content-type': this.init.contentType, ...trailers }, { endStream: true });
      return;
    }
    this.trailers = trailers;
    this.stream.end();
  }

  private request(unaryBody: Uint8Array | undefined): void {
    this.requested = true;
    const h: Record<string, string> = {
      [H.id]: this.init.id,
      [H.frame]: Frame.request,
      [H.endpoint]: this.init.endpoint,
      [H.contentType]: this.init.codec,
      [H.window]: NO_CREDIT_LIMIT,
    };
    if (unaryBody === undefined) h[H.stream] = '1';
    const ms = parseGrpcTimeout(this.headers['grpc-timeout'] as string | undefined);
    if (ms !== undefined) h[H.timeout] = String(ms);
    readGrpcMetadata(this.headers, h);
    this.host.push({ header: h, body: unaryBody ?? new Uint8Array(0) });
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    let msgs: Uint8Array[];
    try {
      msgs = this.parser.push(chunk);
    } catch (e) {
      return void this.refuse(isMicroError(e) ? e : toMicroError(e));
    }
    const input = this.init.method?.inputAny;
    for (const raw of msgs) {
      const body = input ? wrapAny(input, raw) : raw;
      if (this.requested) this.inflow.message(body);
      else if (this.held === undefined && !this.init.method?.clientStreams) {
        this.held = body;
        // Unknown kind (no schema): a unary client ends its stream right after the message; wait past this read for that end.
        if (!this.init.method) setImmediate(() => this.flushHeld());
      } else {
        this.request(undefined);
        this.flushHeld();
        this.inflow.message(body);
      }
    }
  }

  private flushHeld(): void {
    const held = this.held;
    if (held === undefined || this.ended) return;
    this.held = undefined;
    if (!this.requested) this.request(undefined);
    this.inflow.message(held);
  }

  private onEnd(): void {
    if (this.ended) return;
    if (this.parser.partial) return void this.refuse(badRequest('the gRPC request ended inside a message'));
    const end: Message = { header: { [H.id]: this.init.id, [H.frame]: Frame.end }, body: new Uint8Array(0) };
    if (!this.requested) {
      const held = this.held;
      this.held = undefined;
      if (held !== undefined) return void this.request(held);
      this.request(undefined);
    }
    this.inflow.finish(end);
  }

  /** A bad request: answered with its status at once, and the handler (if running) cancelled. */
  private refuse(e: MicroError): void {
    if (this.requested) this.host.push({ header: { [H.id]: this.init.id, [H.frame]: Frame.cancel }, body: new Uint8Array(0) });
    this.finish(e);
  }

  private onClose(): void {
    this.host.forget(this.init.id);
    if (this.ended) return;
    // Reset by the client (or the connection died) before the call was answered: the handler is aborted.
    this.ended = true;
    this.inflow.clear();
    if (this.requested) this.host.push({ header: { [H.id]: this.init.id, [H.frame]: Frame.cancel }, body: new Uint8Array(0) });
  }
}
