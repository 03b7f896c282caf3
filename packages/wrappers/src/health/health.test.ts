import { silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { createService } from '@tsmicro/service';
import { memoryTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { healthServer } from './health-server.js';

describe("healthServer on a service's own readiness flag", () => {
  it('is live at once, ready after start, not ready from the start of a graceful stop, ready again after restart', async () => {
    let entered: () => void = () => {};
    const running = new Promise<void>((res) => {
      entered = res;
    });
    let release: () => void = () => {};
    const gate = new Promise<void>((res) => {
      release = res;
    });
    const registry = memoryRegistry();
    const svc = createService({
      name: 'probe',
      transport: memoryTransport(),
      registry,
      logger: silentLogger(),
      gracePeriod: 5000,
    });
    svc.handle('G', {
      slow: async () => {
        entered();
        await gate;
        return 'finished';
      },
    });
    const probes = await healthServer({ port: 0, ready: svc.readiness.isReady });
    const status = async (path: string) => {
      const res = await fetch(`${probes.url}${path}`);
      await res.text();
      return res.status;
    };
    try {
      expect(await status('/health/live')).toBe(200);
      expect(await status('/health/ready')).toBe(503);
      await svc.start();
      expect(await status('/health/ready')).toBe(200);
      const call = svc.client.call('probe', 'G.slow', {});
      await running;
      const stopping = svc.stop();
      // The call is still being served, yet the probe already says "not ready".
      expect(svc.readiness.state).toBe('stopping');
      expect(await status('/health/ready')).toBe(503);
      expect(await status('/health/live')).toBe(200);
      release();
      expect(await call).toBe('finished');
      await stopping;
      expect(await status('/health/ready')).toBe(503);
      await svc.start();
      expect(await status('/health/ready')).toBe(200);
      expect(await status('/nope')).toBe(404);
    } finally {
      release();
      await svc.stop();
      await probes.close();
      await registry.close();
    }
  });
});
