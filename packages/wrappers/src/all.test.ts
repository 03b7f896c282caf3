import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { memoryRegistry } from '@tsmicro/registry';
import { createService } from '@tsmicro/service';
import { memoryTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { captureLogger, until } from '../test/fixture.js';
import { allObservability } from './all.js';

describe('allObservability()', () => {
  it('turns logging, metrics and tracing on for a service in one line', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const cap = captureLogger('info');
    const obs = allObservability({ logging: { logger: cap.logger }, tracing: { tracer: provider.getTracer('t') } });
    const svc = createService({ name: 'obs', transport: memoryTransport(), registry: memoryRegistry(), logger: cap.logger, wrappers: obs });
    svc.handle('G', { hi: async () => 'hi' });
    await svc.start();
    try {
      expect(await svc.client.call('obs', 'G.hi', {})).toBe('hi');
      await until(() => exporter.getFinishedSpans().length === 2);
      expect(cap.lines().filter((l) => l.endpoint === 'G.hi' && l.code === 200)).toHaveLength(2);
      expect(await obs.registry?.metrics()).toContain('tsmicro_server_handled_total{service="obs",endpoint="G.hi",code="200"} 1');
      expect(obs.handler).toHaveLength(1);
    } finally {
      await svc.stop();
      await provider.shutdown();
    }
  });

  it('leaves parts out on request', () => {
    const obs = allObservability({ metrics: false, tracing: false, logging: { logger: captureLogger().logger } });
    expect([obs.handler.length, obs.call.length, obs.publish.length, obs.registry]).toEqual([1, 1, 0, undefined]);
  });
});
