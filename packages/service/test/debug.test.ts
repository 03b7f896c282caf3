import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from '@tsmicro/client';
import { forbidden, MicroError, notFound, silentLogger } from '@tsmicro/core';
import { memoryRegistry, type Registry } from '@tsmicro/registry';
import { type HandlerWrapper, serverStream } from '@tsmicro/server';
import { memoryTransport, type Transport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import {
  createService,
  type HealthReport,
  readiness,
  type Service,
  type ServiceOptions,
  type StatsReport,
  statsWrapper,
} from '../src/index.js';
import { transports, until } from './fixtures.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

/** What every service here shares: a transport and its own memory registry (so it can restart). */
type Base = Pick<ServiceOptions, 'transport' | 'registry' | 'logger'>;

/** The service `make` builds on a shared base, and an outside client that finds it through the registry. */
function setup<S extends Service>(make: (base: Base) => S, transport: Transport = memoryTransport()) {
  const registry: Registry = memoryRegistry();
  const svc = make({ transport, registry, logger: silentLogger() });
  const client: Client = createClient({ transport, registry });
  return {
    svc,
    client,
    async close() {
      await client.close();
      await svc.stop();
      await registry.close();
    },
  };
}

// A user wrapper that refuses one endpoint, to show the stats wrapper sits outside every user wrapper.
const refuseGuarded: HandlerWrapper = (next) => async (req, ctx) => {
  if (ctx.endpoint === 'G.guarded') throw forbidden('G.guarded is refused by a wrapper');
  return next(req, ctx);
};

describe.each(transports)('a default service over $name answers Debug', ({ make }) => {
  it('Debug.health is ok and ready after start; Debug.stats counts the real calls, errors and in-flight', async () => {
    const held = gate();
    const t = setup((base) => createService({ ...base, name: 'dbg', wrappers: { handler: [refuseGuarded] } }), make());
    t.svc.handle('G', {
      ok: async () => 1,
      fail: async () => {
        throw notFound('nothing here');
      },
      guarded: async () => 'never',
      wait: async () => held.opened,
      ticks: serverStream(async function* () {
        yield 1;
        yield 2;
      }),
    });
    try {
      expect(t.svc.readiness.state).toBe('starting');
      await t.svc.start();
      expect(await t.client.call<HealthReport>('dbg', 'Debug.health', {})).toEqual({ status: 'ok', readiness: 'ready' });

      await t.client.call('dbg', 'G.ok', {});
      await t.client.call('dbg', 'G.ok', {});
      await expect(t.client.call('dbg', 'G.fail', {})).rejects.toMatchObject({ code: 404 });
      await expect(t.client.call('dbg', 'G.guarded', {})).rejects.toMatchObject({ code: 403 });
      const s = await t.client.stream('dbg', 'G.ticks');
      await s.send({});
      await s.closeSend();
      for await (const _ of s);
      const waiting = t.client.call('dbg', 'G.wait', {});
      // G.wait and the Debug.stats call answering.
      await until(async () => (await t.client.call<StatsReport>('dbg', 'Debug.stats', {})).inFlight === 2);

      const first = await t.client.call<StatsReport>('dbg', 'Debug.stats', {});
      expect(first.inFlight).toBe(2);
      expect(first.endpoints['G.ok']).toMatchObject({ calls: 2, errors: 0, inFlight: 0 });
      expect(first.endpoints['G.fail']).toMatchObject({ calls: 1, errors: 1, inFlight: 0 });
      // Refused by a user wrapper before the handler ran, yet counted: the stats wrapper is outermost.
      expect(first.endpoints['G.guarded']).toMatchObject({ calls: 1, errors: 1, inFlight: 0 });
      expect(first.endpoints['G.ticks']).toMatchObject({ calls: 1, errors: 0, inFlight: 0 });
      expect(first.endpoints['G.wait']).toEqual({ calls: 1, errors: 0, inFlight: 1 });
      expect(first.endpoints['Debug.health']).toMatchObject({ calls: 1, errors: 0, inFlight: 0 });
      expect(first.memory.rss).toBeGreaterThan(0);
      expect(first.memory.heapUsed).toBeGreaterThan(0);
      expect(first.memory.heapTotal).toBeGreaterThanOrEqual(first.memory.heapUsed);

      await sleep(30);
      const later = await t.client.call<StatsReport>('dbg', 'Debug.stats', {});
      expect(later.uptimeMs - first.uptimeMs).toBeGreaterThanOrEqual(20);

      held.open();
      await waiting;
      await until(async () => (await t.client.call<StatsReport>('dbg', 'Debug.stats', {})).inFlight === 1);
      const after = await t.client.call<StatsReport>('dbg', 'Debug.stats', {});
      expect(after.endpoints['G.wait']).toMatchObject({ calls: 1, errors: 0, inFlight: 0 });
    } finally {
      held.open();
      await t.close();
    }
  });
});

describe('readiness of a default service', () => {
  it('is ready after start and registration, stopping from the first moment of a graceful stop while it drains, ready after a restart', async () => {
    const held = gate();
    let slowEntered = false;
    let slowFinished = false;
    const seen: string[] = [];
    const t = setup((base) =>
      createService({
        ...base,
        name: 'ready',
        gracePeriod: 5000,
        hooks: {
          afterStart: [
            async () => {
              const h = await t.client.call<HealthReport>('ready', 'Debug.health', {});
              seen.push(`afterStart: ${h.readiness}`);
            },
          ],
          // Runs while the server still serves everything, so Debug.health answers over RPC.
          beforeStop: [
            async () => {
              const h = await t.client.call<HealthReport>('ready', 'Debug.health', {});
              seen.push(`beforeStop: ${h.readiness}`);
            },
          ],
        },
      }),
    );
    t.svc.handle('G', {
      slow: async () => {
        slowEntered = true;
        await held.opened;
        slowFinished = true;
        return 'finished';
      },
    });
    try {
      await t.svc.start();
      // The user's afterStart hook found the service registered (it was called through the registry)
      // but not yet ready: readiness turns last.
      expect(seen).toEqual(['afterStart: starting']);
      expect(t.svc.readiness.state).toBe('ready');
      expect(t.svc.readiness.isReady()).toBe(true);

      const call = t.client.call('ready', 'G.slow', {});
      await until(() => slowEntered);
      const stopping = t.svc.stop();
      // At once, before the graceful stop deregisters or drains anything.
      expect(t.svc.readiness.state).toBe('stopping');
      expect(t.svc.readiness.isReady()).toBe(false);
      await until(() => seen.length === 2);
      expect(seen[1]).toBe('beforeStop: stopping');
      // Still draining the in-flight call, still not ready.
      await sleep(20);
      expect(slowFinished).toBe(false);
      expect(t.svc.readiness.state).toBe('stopping');
      held.open();
      expect(await call).toBe('finished');
      await stopping;
      expect(t.svc.readiness.state).toBe('stopping');

      await t.svc.start();
      expect(t.svc.readiness.state).toBe('ready');
      expect(await t.client.call<HealthReport>('ready', 'Debug.health', {})).toEqual({ status: 'ok', readiness: 'ready' });
    } finally {
      held.open();
      await t.close();
    }
  });

  it('flips a readiness flag and feeds a stats collector given in `debug`', async () => {
    const r = readiness();
    const stats = statsWrapper();
    const t = setup((base) => createService({ ...base, name: 'given', debug: { readiness: r, stats } }));
    t.svc.handle('G', { ok: async () => 1 });
    try {
      expect(t.svc.readiness).toBe(r);
      await t.svc.start();
      expect(r.state).toBe('ready');
      await t.client.call('given', 'G.ok', {});
      expect(stats.endpoints()['G.ok']).toMatchObject({ calls: 1, errors: 0, inFlight: 0 });
      const s = await t.client.call<StatsReport>('given', 'Debug.stats', {});
      expect(s.endpoints['G.ok']).toMatchObject({ calls: 1, errors: 0, inFlight: 0 });
      await t.svc.stop();
      expect(r.state).toBe('stopping');
    } finally {
      await t.close();
    }
  });
});

describe('handle("Debug")', () => {
  it('is refused with a 400 naming debug: false while the service answers Debug itself', async () => {
    const t = setup((base) => createService({ ...base, name: 'taken' }));
    try {
      let thrown: unknown;
      try {
        t.svc.handle('Debug', { health: async () => 'mine' });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(MicroError);
      expect(thrown).toMatchObject({ code: 400, id: 'taken' });
      expect((thrown as MicroError).detail).toMatch(/already answers Debug.*debug: false/);
      // The service's own Debug is untouched.
      await t.svc.start();
      expect(await t.client.call('taken', 'Debug.health', {})).toEqual({ status: 'ok', readiness: 'ready' });
    } finally {
      await t.close();
    }
  });
});

describe('debug: false', () => {
  it('serves no Debug endpoints and keeps no readiness flag', async () => {
    const t = setup((base) => createService({ ...base, name: 'plain', debug: false }));
    t.svc.handle('G', { ok: async () => 1 });
    try {
      expect(t.svc.readiness).toBeUndefined();
      await t.svc.start();
      expect(await t.client.call('plain', 'G.ok', {})).toBe(1);
      await expect(t.client.call('plain', 'Debug.health', {})).rejects.toMatchObject({ code: 404 });
      await expect(t.client.call('plain', 'Debug.stats', {})).rejects.toMatchObject({ code: 404 });
    } finally {
      await t.close();
    }
  });

  it('lets the app handle Debug itself', async () => {
    const t = setup((base) => createService({ ...base, name: 'own', debug: false }));
    t.svc.handle('Debug', { health: async () => ({ status: 'mine' }) });
    try {
      await t.svc.start();
      expect(await t.client.call('own', 'Debug.health', {})).toEqual({ status: 'mine' });
    } finally {
      await t.close();
    }
  });
});
