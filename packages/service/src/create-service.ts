import { createClient } from '@tsmicro/client';
import { badRequest } from '@tsmicro/core';
import { createServer } from '@tsmicro/server';
import { resolveDefaults } from './defaults.js';
import type { DebugHandlerOptions } from './health/debug.js';
import type { Readiness } from './health/readiness.js';
import { DEBUG } from './health/service-debug.js';
import type { Hook, RunOptions, Service, ServiceOptions } from './service.js';
import { stoppedGuard } from './stopped-guard.js';

function definedOnly<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** Waits for SIGINT, SIGTERM or the signal. */
function shutdownRequested(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    const onAbort = () => done('signal');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (signal?.aborted) done('signal');
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A service: server and client over one transport, registry and broker. It answers `Debug.health` and
 * `Debug.stats` and keeps `svc.readiness` unless `debug: false` (see {@link ServiceOptions.debug}).
 * @example const svc = createService({ name: 'greeter' }); svc.handle('Greeter', greeter); await svc.run()
 */
export function createService(o: ServiceOptions & { debug?: DebugHandlerOptions }): Service & { readonly readiness: Readiness };
/**
 * A service: server and client over one transport, registry and broker; with `debug: false`, without
 * the `Debug` endpoints and readiness flag (`svc.readiness` is then `undefined`).
 * @example const svc = createService({ name: 'greeter', debug: false }); svc.handle('Debug', myDebug)
 */
export function createService(o: ServiceOptions): Service;
export function createService(o: ServiceOptions): Service {
  const d = resolveDefaults(o);
  const w = o.wrappers ?? {};
  const debug = d.debug;
  const hooks = debug?.hooks ?? o.hooks;
  const server = createServer({
    name: o.name,
    transport: d.transport,
    registry: d.registry,
    broker: d.broker,
    logger: d.logger,
    ...definedOnly({
      version: o.version,
      metadata: o.metadata,
      nodeMetadata: o.nodeMetadata,
      weight: o.weight,
      address: o.address,
      codecs: o.codecs,
      registerTtl: o.registerTtl,
      registerInterval: o.registerInterval,
      gracePeriod: o.gracePeriod,
      compression: o.compression,
    }),
    wrappers: definedOnly({ handler: debug?.handlerWrappers ?? w.handler, subscriber: w.subscriber }),
  });
  if (debug) server.handle(DEBUG, debug.handler);
  // 'stopped' only after a stop(): before the first start() the client may be used on its own.
  let state: 'new' | 'running' | 'stopped' = 'new';
  const guard = stoppedGuard(o.name, () => state === 'stopped');
  const client = createClient({
    transport: d.transport,
    registry: d.registry,
    broker: d.broker,
    logger: d.logger,
    ...definedOnly({
      selector: o.selector,
      codecs: o.codecs,
      contentType: o.contentType,
      timeout: o.timeout,
      retries: o.retries,
      compression: o.compression,
    }),
    wrappers: {
      call: [guard.call, ...(w.call ?? [])],
      stream: [guard.stream, ...(w.stream ?? [])],
      publish: [guard.publish, ...(w.publish ?? [])],
    },
  });

  let connected = false;
  const svc: Service = {
    name: o.name,
    client,
    server,
    readiness: debug?.readiness,
    handle(name, handlers) {
      if (debug && name === DEBUG) {
        const detail = `${o.name} already answers ${DEBUG} (${DEBUG}.health, ${DEBUG}.stats); pass debug: false to createService to serve your own`;
        throw badRequest(detail, { id: o.name });
      }
      server.handle(name, handlers);
    },
    subscribe: (topic, fn, so) => server.subscribe(topic, fn, so),
    async start() {
      await runHooks(hooks?.beforeStart);
      await d.broker.connect();
      connected = true;
      state = 'running';
      await server.start();
      d.grpcHealth?.set('SERVING');
      await runHooks(hooks?.afterStart);
    },
    async stop() {
      d.grpcHealth?.set('NOT_SERVING');
      await runHooks(hooks?.beforeStop);
      await server.stop();
      // After the drain: handlers finishing during the grace period may still call out through the client.
      state = 'stopped';
      await client.close();
      // Whatever start() connected, stop() disconnects: a given broker (nats, redis) would otherwise keep the process alive.
      if (connected) await d.broker.disconnect();
      connected = false;
      await d.owned.registry?.close();
      await runHooks(hooks?.afterStop);
    },
    async run(ro: RunOptions = {}) {
      await svc.start();
      d.logger.info({ service: o.name, address: server.address }, `${o.name} listening on ${server.address}`);
      const why = await shutdownRequested(ro.signal);
      d.logger.info({ service: o.name, reason: why }, `${o.name} stopping`);
      await svc.stop();
    },
  };
  return svc;
}

async function runHooks(hooks: readonly Hook[] | undefined): Promise<void> {
  for (const h of hooks ?? []) await h();
}
