import type { ServerHttp2Stream } from 'node:http2';
import { ACCEPT_ENCODING, frameMessage, type GrpcEncoding, MessageParser } from './framing.js';
import { encodeGrpcMessage, GrpcStatus } from './status.js';

/** Hooks of a call to a service the transport answers itself (health, reflection). */
export interface StdHandlers {
  message(body: Uint8Array, call: StdCall): void;
  end?(call: StdCall): void;
  close?(call: StdCall): void;
}

/** A call to a standard service, answered on the HTTP/2 stream directly (protobuf, no RPC layer). */
export class StdCall {
  private headersSent = false;
  private done = false;
  private trailers: Record<string, string> = {};

  constructor(
    readonly stream: ServerHttp2Stream,
    encoding: GrpcEncoding,
    maxSize: number,
    h: StdHandlers,
  ) {
    const parser = new MessageParser(maxSize, encoding);
    stream.on('data', (chunk: Buffer) => {
      if (this.done) return;
      try {
        for (const m of parser.push(chunk)) h.message(m, this);
      } catch (e) {
        this.finish(GrpcStatus.INVALID_ARGUMENT, (e as Error).message);
      }
    });
    stream.on('end', () => h.end?.(this));
    stream.on('close', () => {
      this.done = true;
      h.close?.(this);
    });
    stream.on('error', () => {});
    stream.on('wantTrailers', () => {
      if (!stream.destroyed) stream.sendTrailers(this.trailers);
    });
  }

  get isDone(): boolean {
    return this.done;
  }

  send(body: Uint8Array): void {
    if (this.done || this.stream.destroyed) return;
    if (!this.headersSent) {
      this.headersSent = true;
      this.stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': ACCEPT_ENCODING },
        { waitForTrailers: true },
      );
    }
    this.stream.write(frameMessage(body, 'identity', Number.MAX_SAFE_INTEGER));
  }

  finish(status: number, message = ''): void {
    if (this.done) return;
    this.done = true;
    if (this.stream.destroyed || this.stream.closed) return;
    const t: Record<string, string> = { 'grpc-status': String(status) };
    if (message) t['grpc-message'] = encodeGrpcMessage(message);
    if (!this.headersSent) {
      this.headersSent = true;
      this.stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...t }, { endStream: true });
      return;
    }
    this.trailers = t;
    this.stream.end();
  }
}
