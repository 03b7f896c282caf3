import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLogger, startPair, until } from '../../test/fixture.js';
import { traceSeenHandlers } from '../../test/trace-seen.fixture.js';
import { allObservability } from '../all.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

afterAll(async () => {
  await provider.shutdown();
  context.disable();
  propagation.disable();
  trace.disable();
});

// The wrappers are made before any SDK exists (as when an app sets tracing up after its services);
// the no-SDK shortcut must notice the SDK once it registers.
describe('tracing made before an SDK registers', () => {
  it('passes calls through untraced while there is no SDK, then traces and propagates once one registers', async () => {
    const obs = allObservability({ logging: { logger: captureLogger().logger } });
    const p = await startPair({
      handlers: traceSeenHandlers,
      server: { wrappers: { handler: obs.handler } },
      client: { wrappers: { call: obs.call } },
    });
    try {
      expect(await p.client.call('greeter', 'G.seen', {})).toEqual({ traceparent: null, bound: false });
      expect(exporter.getFinishedSpans()).toHaveLength(0);

      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(provider);

      const traced = await p.client.call<{ traceparent: string; bound: boolean }>('greeter', 'G.seen', {});
      expect(traced.bound).toBe(true);
      expect(traced.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      await until(() => exporter.getFinishedSpans().length === 2);
      const spans = exporter.getFinishedSpans();
      const client = spans.find((s) => s.kind === SpanKind.CLIENT);
      const server = spans.find((s) => s.kind === SpanKind.SERVER);
      expect(client?.name).toBe('greeter/G.seen');
      expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
      expect(server?.spanContext().traceId).toBe(client?.spanContext().traceId);
      expect(traced.traceparent).toContain(client?.spanContext().traceId);
    } finally {
      await p.close();
    }
  });
});
