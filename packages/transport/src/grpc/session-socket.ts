import type { Http2Session } from 'node:http2';
import { closedError, Inbox, InboxSocket } from '../inbox.js';
import type { Message, Socket } from '../transport.js';
import type { ResolvedGrpcOptions } from './options.js';
import type { CallHost } from './server-call.js';

/**
 * What the client and server gRPC sockets share: one HTTP/2 session as a tsmicro {@link Socket}, an
 * inbox of the RPC frames its calls produce, and the calls in flight by RPC call id.
 */
export abstract class SessionSocket<C> extends InboxSocket implements Socket, CallHost {
  readonly closed: Promise<Error | undefined>;
  protected readonly inbox: Inbox;
  protected readonly calls = new Map<string, C>();
  protected error: Error | undefined;
  protected closing: Promise<void> | undefined;

  constructor(
    protected readonly session: Http2Session,
    readonly local: string,
    readonly remote: string,
    readonly o: ResolvedGrpcOptions,
  ) {
    super();
    this.inbox = new Inbox(remote, Number.POSITIVE_INFINITY);
    let settle: (e: Error | undefined) => void = () => {};
    this.closed = new Promise((resolve) => {
      settle = resolve;
    });
    session.on('error', (e: Error) => {
      this.error = e;
    });
    session.on('close', () => {
      this.onSessionClose();
      this.inbox.end(this.error);
      settle(this.error);
    });
  }

  abstract send(m: Message): Promise<void>;
  abstract close(): Promise<void>;

  /** The session closed: calls still open learn it here (the RPC layer fails them all next). */
  protected onSessionClose(): void {}

  push(m: Message): void {
    this.inbox.push(m);
  }

  forget(id: string): void {
    this.calls.delete(id);
  }

  /** Why a send fails once the session is gone. */
  protected closedError(): Error {
    return closedError(this.remote, this.error);
  }

  /** Closes the session gracefully (streams in flight finish), destroying it after `closeTimeout`. */
  protected async closeSession(): Promise<void> {
    if (!this.session.destroyed) {
      const t = setTimeout(() => this.session.destroy(), this.o.closeTimeout);
      this.session.close();
      await this.closed;
      clearTimeout(t);
    }
    await this.closed;
  }
}
