import * as api from '@opentelemetry/api';
import type { Context } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { startPair } from '../../test/fixture.js';
import { traceSeenHandlers } from '../../test/trace-seen.fixture.js';
import { otelContextOf, tracing } from './tracing.js';

// No OpenTelemetry SDK is registered in this file: the API's tracer is the no-op one.
describe('tracing() with no SDK registered', () => {
  it('passes calls through untouched: no trace metadata, no span context on ctx', async () => {
    const t = tracing();
    const p = await startPair({
      handlers: traceSeenHandlers,
      server: { wrappers: { handler: [t.handler] } },
      client: { wrappers: { call: [t.call] } },
    });
    try {
      expect(await p.client.call('greeter', 'G.seen', {})).toEqual({ traceparent: null, bound: false });
    } finally {
      await p.close();
    }
  });

  it('still passes on a trace that comes in, though nothing records it', async () => {
    const t = tracing({ propagator: w3cOnly() });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const p = await startPair({
      handlers: { G: { seen: async (_req: unknown, ctx: Context) => otelContextOf(ctx) !== undefined } },
      server: { wrappers: { handler: [t.handler] } },
    });
    try {
      expect(await p.client.call('greeter', 'G.seen', {}, { metadata: { traceparent } })).toBe(true);
    } finally {
      await p.close();
    }
  });
});

/** A minimal W3C traceparent extractor, so the test needs no SDK package. */
function w3cOnly(): api.TextMapPropagator {
  return {
    inject() {},
    fields: () => ['traceparent'],
    extract(ctx: api.Context, carrier: unknown) {
      const v = (carrier as Record<string, string | undefined>).traceparent;
      const m = v && /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(v);
      if (!m) return ctx;
      return api.trace.setSpanContext(ctx, {
        traceId: m[1] ?? '',
        spanId: m[2] ?? '',
        traceFlags: Number.parseInt(m[3] ?? '0', 16),
        isRemote: true,
      });
    },
  };
}
