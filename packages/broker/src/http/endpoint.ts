import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  badRequest,
  encodeError,
  internalServerError,
  type Logger,
  type MicroError,
  notFound,
  payloadTooLarge,
  toMicroError,
} from '@tsmicro/core';
import type { Handler } from '../broker.js';
import { runHandler } from '../event.js';
import type { TopicMatcher } from '../topic.js';
import { formatAddress, parseAddress } from './address.js';
import { decodeEnvelope } from './envelope.js';

/** A subscription served by this broker's endpoint. */
export interface LocalSubscription {
  id: string;
  pattern: string;
  match: TopicMatcher;
  handler: Handler;
  autoAck: boolean;
}

/**
 * The subscriber side: an HTTP server taking POST /sub/<id>. It answers 200 once the handler acks
 * (resolves), 500 when it nacks (throws), 404 for a subscription that is gone (unsubscribed or disconnecting)
 * and 413 for a body over `maxMessageSize` (refused before it is buffered).
 */
export class Endpoint {
  private server: Server | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private draining = false;

  constructor(
    private readonly o: {
      maxMessageSize: number;
      logger: Logger;
      lookup: (id: string) => LocalSubscription | undefined;
    },
  ) {}

  /** Binds `address` and resolves with the bound `host:port`. */
  async listen(address: string): Promise<string> {
    const { host, port } = parseAddress(address);
    const server = createServer((req, res) => this.serve(req, res));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const a = server.address() as AddressInfo;
    return formatAddress(a.address, a.port);
  }

  /** Refuses new deliveries (404: gone), waits up to `drainTimeout` for running handlers, then closes every connection. */
  async close(drainTimeout: number): Promise<number> {
    this.draining = true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((r) => {
      timer = setTimeout(r, drainTimeout);
    });
    const left = this.inFlight.size;
    await Promise.race([Promise.allSettled([...this.inFlight]), expired]);
    clearTimeout(timer);
    const server = this.server;
    this.server = undefined;
    if (server) {
      // Idle keep-alive connections go now; one still flushing its last answer gets a moment before it is cut.
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      let cut: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((r) => (cut = setTimeout(r, 1000)))]);
      clearTimeout(cut);
      server.closeAllConnections();
      await closed;
    }
    return left;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const admitted = this.admit(req);
    if ('error' in admitted) {
      this.refuse(req, res, admitted.error, admitted.close);
      return;
    }
    const { id } = admitted;
    const limit = this.o.maxMessageSize;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        this.refuse(req, res, tooLarge(size, limit), true);
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size <= limit) this.track(this.deliver(id, Buffer.concat(chunks, size), res));
    });
    req.on('error', (err) => this.o.logger.debug({ err }, 'http broker: delivery request failed'));
  }

  /** Decides from the request head alone: which subscription, or why not (an oversized body is never read). */
  private admit(req: IncomingMessage): { id: string } | { error: MicroError; close: boolean } {
    const m = /^\/sub\/([^/?]+)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return { error: notFound(`http broker: no route ${req.method} ${req.url}`), close: false };
    if (this.draining) return { error: notFound('http broker: subscriber is disconnecting'), close: false };
    let id: string;
    try {
      id = decodeURIComponent(m[1] ?? '');
    } catch {
      return { error: badRequest(`http broker: bad subscription path ${req.url}`), close: false };
    }
    if (!this.o.lookup(id)) return { error: notFound(`http broker: no subscription ${id} here (unsubscribed?)`), close: false };
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > this.o.maxMessageSize) return { error: tooLarge(declared, this.o.maxMessageSize), close: true };
    return { id };
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async deliver(id: string, body: Uint8Array, res: ServerResponse): Promise<void> {
    const sub = this.o.lookup(id);
    if (!sub) return this.reply(res, notFound(`http broker: no subscription ${id} here (unsubscribed?)`));
    let env: ReturnType<typeof decodeEnvelope>;
    try {
      env = decodeEnvelope(body);
    } catch (e) {
      return this.reply(res, toMicroError(e));
    }
    if (!sub.match(env.topic))
      return this.reply(res, badRequest(`http broker: topic "${env.topic}" does not match subscription "${sub.pattern}"`));
    const outcome = await runHandler({
      topic: env.topic,
      message: env.message,
      handler: sub.handler,
      autoAck: sub.autoAck,
      logger: this.o.logger,
      onSettle: (v) => this.reply(res, v === 'ack' ? undefined : nacked(env.topic)),
    });
    // autoAck off and the handler never said: the message was handled, take it as delivered.
    if (outcome === 'none') this.reply(res, undefined);
  }

  private reply(res: ServerResponse, error: MicroError | undefined): void {
    if (res.headersSent) return;
    if (!error) {
      res.writeHead(200, { 'content-length': '0' }).end();
      return;
    }
    const body = encodeError(error);
    res.writeHead(error.code, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
  }

  /** Answers without reading the body; `close` drops the connection afterwards so an oversized body is never read. */
  private refuse(req: IncomingMessage, res: ServerResponse, error: MicroError, close = false): void {
    if (close) res.setHeader('connection', 'close');
    this.reply(res, error);
    if (close) res.once('finish', () => req.socket.destroySoon());
  }
}

function tooLarge(size: number, limit: number): MicroError {
  return payloadTooLarge(`http broker: message of ${size} bytes exceeds maxMessageSize ${limit} bytes`);
}

function nacked(topic: string): MicroError {
  return internalServerError(`http broker: subscriber nacked a message on "${topic}"`);
}
