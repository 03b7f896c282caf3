/** The publishing half of a W3 stack. */
export interface PubSide {
  /**
   * Publishes the i-th message (message.ts), built the way the stack's users build it. A promise when
   * the stack confirms each publish, `undefined` when it only buffers.
   */
  publish(i: number, warm: boolean): Promise<unknown> | undefined;
  /** Resolves once everything published so far has left the process. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The subscribing half; `address` is where a publisher must send (raw HTTP) or the server used. */
export interface SubSide {
  readonly address: string;
  /** Whatever the publisher needs to find this subscriber (httpBroker: its registry records). */
  readonly seed?: unknown;
  close(): Promise<void>;
}
