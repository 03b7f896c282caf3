import { context, propagation, type SpanContext, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { memoryBroker } from '@tsmicro/broker';
import { createClient } from '@tsmicro/client';
import { type Context, notFound } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { createServer } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, until } from '../../test/fixture.js';
import { tracing } from './tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  context.disable();
  propagation.disable();
  trace.disable();
});

const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
const idOf = (s: ReadableSpan): SpanContext => s.spanContext();

describe('tracing() across client → A → B → broker → subscriber over tcp', () => {
  it('records one trace with correct kinds and parent links, W3C context carried in metadata', async () => {
    exporter.reset();
    const t = tracing();
    const transport = tcpTransport();
    const registry = memoryRegistry();
    const broker = memoryBroker();
    const wrappers = { handler: [t.handler], subscriber: [t.subscriber] };
    const clientWrappers = { call: [t.call], stream: [t.stream], publish: [t.publish] };
    let seenTraceparent = '';
    let consumedIn: string | undefined;

    const bClient = createClient({ transport, registry, broker, wrappers: clientWrappers });
    const b = createServer({ name: 'b', transport, registry, broker, wrappers });
    b.handle('B', {
      async work(req: { id: number }, ctx: Context) {
        seenTraceparent = ctx.metadata.traceparent ?? '';
        await bClient.publish('orders.created', req);
        return { done: req.id };
      },
    });
    const c = createServer({ name: 'c', transport, registry, broker, wrappers });
    c.subscribe('orders.created', () => {
      consumedIn = trace.getActiveSpan()?.spanContext().spanId;
    });
    const aClient = createClient({ transport, registry, wrappers: clientWrappers });
    const a = createServer({ name: 'a', transport, registry, wrappers });
    a.handle('A', {
      // The downstream call passes ctx: the trace continues through it.
      relay: async (req: { id: number }, ctx: Context) => aClient.call('b', 'B.work', req, { ctx }),
    });
    await Promise.all([a.start(), b.start(), c.start()]);
    const caller = createClient({ transport, registry, wrappers: clientWrappers });
    try {
      expect(await caller.call('a', 'A.relay', { id: 7 })).toEqual({ done: 7 });
      await until(() => exporter.getFinishedSpans().length === 6);
      const spans = exporter.getFinishedSpans();
      const find = (name: string, kind: SpanKind) => {
        const found = spans.find((x) => x.name === name && x.kind === kind);
        if (!found) throw new Error(`no ${SpanKind[kind]} span ${name} in ${spans.map((x) => x.name).join(', ')}`);
        return found;
      };
      const rootClient = find('a/A.relay', SpanKind.CLIENT);
      const serverA = find('a/A.relay', SpanKind.SERVER);
      const callBClient = find('b/B.work', SpanKind.CLIENT);
      const serverB = find('b/B.work', SpanKind.SERVER);
      const publish = find('orders.created publish', SpanKind.PRODUCER);
      const consume = find('orders.created process', SpanKind.CONSUMER);

      expect(new Set(spans.map((s) => idOf(s).traceId)).size).toBe(1);
      expect(parentOf(rootClient)).toBeUndefined();
      expect(parentOf(serverA)).toBe(idOf(rootClient).spanId);
      expect(parentOf(callBClient)).toBe(idOf(serverA).spanId);
      expect(parentOf(serverB)).toBe(idOf(callBClient).spanId);
      expect(parentOf(publish)).toBe(idOf(serverB).spanId);
      expect(parentOf(consume)).toBe(idOf(publish).spanId);
      expect(consumedIn).toBe(idOf(consume).spanId);
      expect(seenTraceparent).toBe(`00-${idOf(callBClient).traceId}-${idOf(callBClient).spanId}-01`);
      expect(serverA.attributes['rpc.method']).toBe('A.relay');
    } finally {
      await Promise.all([caller.close(), aClient.close(), bClient.close()]);
      await Promise.all([a.stop(), b.stop(), c.stop()]);
      await broker.disconnect();
      await registry.close();
    }
  });

  it('continues an active span of the caller and marks failures with the error code', async () => {
    exporter.reset();
    const t = tracing({ tracer: provider.getTracer('test') });
    const transport = tcpTransport();
    const s = createServer({ name: 'a', transport, wrappers: { handler: [t.handler] } });
    s.handle('A', {
      missing: async () => {
        throw notFound('no such order');
      },
    });
    await s.start();
    const client = createClient({ transport, wrappers: { call: [t.call] } });
    try {
      const root = provider.getTracer('test').startSpan('job');
      await context.with(trace.setSpan(context.active(), root), async () => {
        await rejection(client.call('a', 'A.missing', {}, { address: s.address }));
      });
      root.end();
      await until(() => exporter.getFinishedSpans().length === 3);
      const spans = exporter.getFinishedSpans();
      const call = spans.find((x) => x.kind === SpanKind.CLIENT);
      const served = spans.find((x) => x.kind === SpanKind.SERVER);
      expect(parentOf(call as ReadableSpan)).toBe(root.spanContext().spanId);
      expect(parentOf(served as ReadableSpan)).toBe(call?.spanContext().spanId);
      for (const x of [call, served]) {
        expect(x?.status.code).toBe(2);
        expect(x?.attributes['rpc.tsmicro.code']).toBe(404);
      }
    } finally {
      await client.close();
      await s.stop();
    }
  });
});
