import type { Logger, Metadata } from '@tsmicro/core';
import { type CallScope, type HandlerKind, readMetadata } from '@tsmicro/transport/rpc';
import type { ServerContext } from './server.js';

/**
 * The context a handler gets. A class, not an object literal with getters: a literal with accessors
 * costs about six times the memory on every call. `metadata` and `signal` are getters on the
 * prototype so the metadata object and the AbortController are only made for handlers that read
 * them (so `{ ...ctx }` does not copy those two: read them by name).
 */
export class CallContext implements ServerContext {
  declare readonly deadline?: number;
  private md: Metadata | undefined;
  /** What {@link setTrailer} gathered; the server sends it with the call's last frame. */
  trailer: Metadata | undefined;

  constructor(
    private readonly header: Readonly<Record<string, string>>,
    private readonly scope: CallScope,
    deadline: number | undefined,
    readonly service: string,
    readonly endpoint: string,
    readonly logger: Logger,
    readonly kind: HandlerKind,
    readonly node: string,
    readonly peer: string,
  ) {
    // Absent, not undefined, without a deadline (the Context contract: `deadline?: number`).
    if (deadline !== undefined) (this as { deadline?: number }).deadline = deadline;
  }

  get metadata(): Metadata {
    this.md ??= readMetadata(this.header);
    return this.md;
  }

  get signal(): AbortSignal {
    return this.scope.signal;
  }

  setTrailer(metadata: Readonly<Metadata>): void {
    this.trailer ??= {};
    for (const k in metadata) {
      const v = metadata[k];
      if (v === undefined) continue;
      const key = k.toLowerCase();
      // A plain object: `__proto__` would hit the prototype setter and vanish.
      if (key === '__proto__') Object.defineProperty(this.trailer, key, { value: v, enumerable: true, writable: true, configurable: true });
      else this.trailer[key] = v;
    }
  }
}
