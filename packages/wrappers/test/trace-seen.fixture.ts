import type { Context } from '@tsmicro/core';
import { otelContextOf } from '../src/tracing/trace-part.js';

/** What a handler saw of tracing: the `traceparent` that came in, and whether a span is bound to its ctx. */
export interface TraceSeen {
  traceparent: string | null;
  bound: boolean;
}

/** Handlers `G.seen` answering {@link TraceSeen} (test helper). */
export const traceSeenHandlers = {
  G: {
    seen: async (_req: unknown, ctx: Context): Promise<TraceSeen> => ({
      traceparent: ctx.metadata.traceparent ?? null,
      bound: otelContextOf(ctx) !== undefined,
    }),
  },
};
