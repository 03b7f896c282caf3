import { randomUUID } from 'node:crypto';
import type { Subscriber } from '@tsmicro/broker';
import { badGateway, badRequest, conflict, serviceUnavailable, tooManyRequests } from '@tsmicro/core';
import type { ServiceRecord } from '@tsmicro/registry';
import type { Listener, Socket } from '@tsmicro/transport';
import { type CallScope, createMux, type Mux } from '@tsmicro/transport/rpc';
import { dispatch } from './dispatch.js';
import { resolveServerOptions } from './options.js';
import { type Registration, startRegistration } from './registration.js';
import { type Route, routesOf } from './router.js';
import type { Server, ServerOptions } from './server.js';
import { type SubscriptionSpec, subscribeAll } from './subscriptions.js';

/**
 * An RPC server over any transport. See {@link ServerOptions} for the defaults.
 * @example const s = createServer({ name: 'greeter', transport, registry }); s.handle('Greeter', greeter); await s.start()
 */

/** How long connections must stay silent before a stopping server closes them. */
const QUIET_MS = 100;
export function createServer(options: ServerOptions): Server {
  const o = resolveServerOptions(options);
  const routes = new Map<string, Route>();
  const specs: SubscriptionSpec[] = [];
  const nodeId = `${o.name}-${randomUUID()}`;
  let listener: Listener | undefined;
  let registration: Registration | undefined;
  /** Epoch ms of the last start, registered as node metadata `started` so tools can show a node's age. */
  let startedAt = 0;
  let subscribers: Subscriber[] = [];
  let stopAc = new AbortController();
  let stopping = false;
  let running = false;
  const muxes = new Set<Mux>();
  /** Calls past their first synchronous run, and who waits for there to be none. */
  let inflight = 0;
  let onIdle: Array<() => void> = [];
  const idle = () => (inflight === 0 ? Promise.resolve() : new Promise<void>((resolve) => onIdle.push(resolve)));
  const scopes = new Set<CallScope>();
  /** Counts arriving requests, so a stopping server can tell when its connections have gone quiet. */
  let requestsSeen = 0;

  const env = {
    name: o.name,
    node: nodeId,
    peer: '',
    routes,
    codecs: o.codecs,
    logger: o.logger,
    track(scope: CallScope) {
      scopes.add(scope);
    },
    untrack(scope: CallScope) {
      scopes.delete(scope);
    },
    started() {
      inflight++;
    },
    ended() {
      if (--inflight > 0) return;
      const waiting = onIdle;
      onIdle = [];
      for (const resolve of waiting) resolve();
    },
  };

  const onSocket = (socket: Socket) => {
    if (stopping) {
      socket.close().catch(() => {});
      return;
    }
    // One env per connection, made once here, so every call's context knows its caller.
    const connEnv = { ...env, peer: socket.remote };
    const mux: Mux = createMux(socket, {
      window: o.streamWindow,
      compression: o.compression,
      onRequest(s, req) {
        requestsSeen++;
        if (stopping) {
          s.refuse(serviceUnavailable(`${o.name} is stopping`, { id: o.name })).catch(() => {});
          return;
        }
        // The new call is not counted yet: the mux enters it only after this returns.
        if (mux.size >= o.maxStreamsPerConnection) {
          const e = tooManyRequests(`more than ${o.maxStreamsPerConnection} concurrent calls on one connection`, { id: o.name });
          s.refuse(e).catch(() => {});
          return;
        }
        dispatch(connEnv, s, req);
      },
    });
    muxes.add(mux);
    void mux.closed.then(() => muxes.delete(mux));
  };

  const record = (address: string): ServiceRecord => ({
    name: o.name,
    version: o.version,
    metadata: o.metadata,
    endpoints: [...routes.values()].map((r) => ({ name: r.name, metadata: { ...r.metadata } })),
    // register_ttl lets a client tell how long a node that stopped answering may stay listed.
    nodes: [
      {
        id: nodeId,
        address,
        metadata: {
          ...o.nodeMetadata,
          transport: o.transport.name,
          ...listener?.metadata,
          started: String(startedAt),
          register_ttl: String(o.registerTtl),
        },
      },
    ],
  });

  /** Waits for in-flight calls up to the grace period, then aborts the rest and waits for them to answer. */
  const drain = async () => {
    if (inflight > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, o.gracePeriod);
      });
      await Promise.race([idle(), grace]);
      clearTimeout(timer);
    }
    // Not the retryable 503: the handlers did run, so a caller must not repeat a call that is not idempotent.
    const reason = badGateway(
      `${o.name} stopped and cut the call after its grace period of ${o.gracePeriod} ms; the handler may have run (outcome unknown)`,
      { id: o.name },
    );
    stopAc.abort(reason);
    for (const scope of [...scopes]) scope.abort(reason);
    await idle();
  };

  /**
   * Lame duck: a client may have sent requests before it learned of the deregistration. Until the
   * connections stay quiet for QUIET_MS (at most the grace period), such requests get a retryable
   * "is stopping" 503 instead of being cut by the close, which would leave the caller not knowing
   * whether the call ran.
   */
  const quiesce = async () => {
    const until = Date.now() + o.gracePeriod;
    let seen = -1;
    while (muxes.size > 0 && seen !== requestsSeen && Date.now() < until) {
      seen = requestsSeen;
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    }
  };

  return {
    name: o.name,
    get address() {
      return listener?.address ?? '';
    },
    handle(name, handlers) {
      if (running) throw conflict(`handle('${name}') after start: register handlers before starting ${o.name}`);
      for (const r of routesOf(name, handlers, o.handlerWrappers, o.logger)) {
        if (routes.has(r.name)) throw conflict(`endpoint ${r.name} is already handled`);
        routes.set(r.name, r);
      }
    },
    subscribe(topic, fn, so = {}) {
      if (running) throw conflict(`subscribe('${topic}') after start: subscribe before starting ${o.name}`);
      specs.push({ topic, fn, o: so });
    },
    async start() {
      if (running) return;
      if (specs.length > 0 && !o.broker) throw badRequest(`${o.name} has subscriptions but no broker`);
      stopping = false;
      stopAc = new AbortController();
      startedAt = Date.now();
      listener = await o.transport.listen(o.address);
      listener.accept(onSocket);
      running = true;
      try {
        if (o.broker) {
          subscribers = await subscribeAll(
            {
              name: o.name,
              broker: o.broker,
              codecs: o.codecs,
              logger: o.logger,
              wrappers: o.subscriberWrappers,
              stopSignal: stopAc.signal,
              compression: o.compression,
            },
            specs,
          );
        }
        if (o.registry) {
          registration = await startRegistration(o.registry, record(listener.address), {
            ttl: o.registerTtl,
            interval: o.registerInterval,
            logger: o.logger,
          });
        }
      } catch (e) {
        await this.stop();
        throw e;
      }
      o.logger.debug({ address: listener.address }, 'server started');
    },
    async stop() {
      if (!running) return;
      stopping = true;
      // Deregister first so clients stop picking this node while it drains.
      await registration?.stop();
      registration = undefined;
      await drain();
      await quiesce();
      await Promise.allSettled(subscribers.map((s) => s.unsubscribe()));
      subscribers = [];
      await Promise.allSettled([...muxes].map((m) => m.close()));
      await listener?.close();
      listener = undefined;
      running = false;
      o.logger.debug('server stopped');
    },
  };
}
