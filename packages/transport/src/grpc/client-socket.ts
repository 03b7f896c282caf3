import type { ClientHttp2Session } from 'node:http2';
import { closedError, Inbox } from '../inbox.js';
import { Frame, H } from '../rpc/headers.js';
import type { Message, Socket } from '../transport.js';
import { ClientCall } from './client-call.js';
import type { ResolvedGrpcOptions } from './options.js';
import type { CallHost } from './server-call.js';

const resolved = Promise.resolve();
const empty = new Uint8Array(0);

/** One HTTP/2 connection to a gRPC server as a tsmicro {@link Socket}: each RPC call the mux opens is a gRPC call. */
export class GrpcClientSocket implements Socket, CallHost {
  readonly closed: Promise<Error | undefined>;
  private readonly inbox: Inbox;
  private readonly calls = new Map<string, ClientCall>();
  private error: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly session: ClientHttp2Session,
    readonly local: string,
    readonly remote: string,
    readonly o: ResolvedGrpcOptions,
  ) {
    this.inbox = new Inbox(remote, Number.POSITIVE_INFINITY);
    let settle: (e: Error | undefined) => void = () => {};
    this.closed = new Promise((resolve) => {
      settle = resolve;
    });
    session.on('error', (e: Error) => {
      this.error = e;
    });
    session.on('goaway', () => {
      // The server is going away: no new call goes here; calls in flight finish.
      this.closing ??= Promise.resolve();
    });
    session.on('close', () => {
      this.inbox.end(this.error);
      settle(this.error);
    });
  }

  push(m: Message): void {
    this.inbox.push(m);
  }

  forget(id: string): void {
    this.calls.delete(id);
  }

  send(m: Message): Promise<void> {
    const id = m.header[H.id] ?? '';
    const kind = m.header[H.frame];
    if (kind === Frame.request) {
      if (this.closing || this.session.closed || this.session.destroyed) return Promise.reject(closedError(this.remote, this.error));
      let call: ClientCall;
      try {
        call = new ClientCall(this, this.session, id, m.header, m.body);
      } catch (e) {
        return Promise.reject(closedError(this.remote, e instanceof Error ? e : new Error(String(e))));
      }
      if (!call.isDone) this.calls.set(id, call);
      return call.written;
    }
    if (kind === Frame.ping) {
      if (this.session.destroyed) return Promise.reject(closedError(this.remote, this.error));
      this.session.ping((err) => {
        if (!err) this.push({ header: { [H.id]: '0', [H.frame]: Frame.pong }, body: empty });
      });
      return resolved;
    }
    return this.calls.get(id)?.send(m) ?? resolved;
  }

  recv(): Promise<Message> {
    return this.inbox.recv();
  }

  poll(): Message | undefined {
    return this.inbox.poll();
  }

  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return this.inbox[Symbol.asyncIterator]();
  }

  close(): Promise<void> {
    const closing = (async () => {
      if (!this.session.destroyed) {
        const t = setTimeout(() => this.session.destroy(), this.o.closeTimeout);
        this.session.close();
        await this.closed;
        clearTimeout(t);
      }
    })();
    this.closing = closing;
    return closing;
  }
}
