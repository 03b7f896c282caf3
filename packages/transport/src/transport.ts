/** One unit on a socket: string headers plus an opaque body. */
export interface Message {
  header: Record<string, string>;
  body: Uint8Array;
}

/**
 * A bidirectional message pipe. The RPC layer multiplexes calls over it. Messages with the same
 * `Micro-Id` header arrive in the order sent; the tcp transport lets a message of another id
 * overtake a large one still in transit (docs/protocol.md, "Large messages"); memory keeps total order.
 * Iterating yields received messages and ends when the socket closes.
 */
export interface Socket extends AsyncIterable<Message> {
  /** Resolves once the message is handed to the wire (or peer queue); waits when the peer is slow (backpressure). Rejects once closed. */
  send(m: Message): Promise<void>;
  /** The next message; rejects with a `MicroError` (503) once the socket is closed. */
  recv(): Promise<Message>;
  /**
   * Optional: the next message if one is already received, without waiting (undefined when none is).
   * Lets a consumer that was woken for one message take the rest of a batch in the same turn.
   */
  poll?(): Message | undefined;
  /** Closes both directions; idempotent. */
  close(): Promise<void>;
  /** Settles when the socket closes, with the error that closed it (if any). Never rejects. */
  readonly closed: Promise<Error | undefined>;
  readonly local: string;
  readonly remote: string;
}

/** Accepts incoming sockets on one address. */
export interface Listener {
  /** The bound address, with the real port when listening on port 0. */
  readonly address: string;
  /** Optional: what the node's registry record should say about this listener (e.g. `{ protocols: 'grpc' }`). */
  readonly metadata?: Readonly<Record<string, string>>;
  accept(fn: (s: Socket) => void): void;
  /** Stops accepting and closes the sockets it accepted. */
  close(): Promise<void>;
}

/** Options of one dial. */
export interface DialOptions {
  /** Milliseconds before the dial fails with `timeout`. Default: the transport's dial timeout. */
  timeout?: number;
  signal?: AbortSignal;
}

/** Creates sockets: `dial` connects to a listener's address, `listen` binds one. */
export interface Transport {
  readonly name: string;
  dial(address: string, o?: DialOptions): Promise<Socket>;
  listen(address: string): Promise<Listener>;
}
