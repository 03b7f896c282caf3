import { randomUUID } from 'node:crypto';
import type { Subscriber } from '@tsmicro/broker';
import { badGateway, badRequest, conflict } from '@tsmicro/core';
import type { ServiceRecord } from '@tsmicro/registry';
import type { Listener, Socket } from '@tsmicro/transport';
import { createMux, type Mux } from '@tsmicro/transport/rpc';
import { type CallEnv, serveRequest } from './call.js';
import { Calls } from './calls.js';
import { type ResolvedServerOptions, resolveServerOptions } from './options.js';
import { type Registration, startRegistration } from './registration.js';
import { type Route, routesOf } from './router.js';
import type { Server, ServerOptions } from './server.js';
import { type SubscriptionSpec, subscribeAll } from './subscriptions.js';

/** How long connections must stay silent before a stopping server closes them. */
const QUIET_MS = 100;

/**
 * Everything one server holds. From creation: its options, node id, endpoints, subscriptions to
 * make, connections and calls. From `start` to `stop`: the listener, registration, subscribers and
 * the signal subscribers see abort on stop.
 */
interface ServerState {
  readonly o: ResolvedServerOptions;
  readonly node: string;
  readonly routes: Map<string, Route>;
  readonly specs: SubscriptionSpec[];
  readonly muxes: Set<Mux>;
  readonly calls: Calls;
  /** `idle` before start and after stop; `handle` and `subscribe` only while idle. */
  phase: 'idle' | 'starting' | 'running' | 'stopping';
  listener: Listener | undefined;
  registration: Registration | undefined;
  subscribers: Subscriber[];
  stopAc: AbortController;
  /** The stop under way, which a second `stop()` waits for. */
  stopping: Promise<void> | undefined;
  /** Epoch ms of the last start, registered as node metadata `started` so tools can show a node's age. */
  startedAt: number;
}

/**
 * An RPC server over any transport. See {@link ServerOptions} for the defaults, and call.ts for
 * the life of one call.
 * @example const s = createServer({ name: 'greeter', transport, registry }); s.handle('Greeter', greeter); await s.start()
 */
export function createServer(options: ServerOptions): Server {
  const o = resolveServerOptions(options);
  const st: ServerState = {
    o,
    node: `${o.name}-${randomUUID()}`,
    routes: new Map(),
    specs: [],
    muxes: new Set(),
    calls: new Calls(),
    phase: 'idle',
    listener: undefined,
    registration: undefined,
    subscribers: [],
    stopAc: new AbortController(),
    stopping: undefined,
    startedAt: 0,
  };
  const server: Server = {
    name: o.name,
    get address() {
      return st.listener?.address ?? '';
    },
    handle(name, handlers) {
      if (st.phase !== 'idle') throw conflict(`handle('${name}') after start: register handlers before starting ${o.name}`);
      for (const r of routesOf(name, handlers, o.handlerWrappers, o.logger)) {
        if (st.routes.has(r.name)) throw conflict(`endpoint ${r.name} is already handled`);
        st.routes.set(r.name, r);
      }
    },
    subscribe(topic, fn, so = {}) {
      if (st.phase !== 'idle') throw conflict(`subscribe('${topic}') after start: subscribe before starting ${o.name}`);
      st.specs.push({ topic, fn, o: so });
    },
    start: () => start(st, server),
    stop: () => stop(st),
  };
  return server;
}

async function start(st: ServerState, server: Server): Promise<void> {
  const { o } = st;
  if (st.phase !== 'idle') return;
  if (st.specs.length > 0 && !o.broker) throw badRequest(`${o.name} has subscriptions but no broker`);
  st.phase = 'starting';
  st.calls.open = true;
  st.stopAc = new AbortController();
  st.startedAt = Date.now();
  try {
    st.listener = await o.transport.listen(o.address);
  } catch (e) {
    st.phase = 'idle';
    throw e;
  }
  st.listener.accept(connect(st));
  st.phase = 'running';
  try {
    if (o.broker) {
      st.subscribers = await subscribeAll(
        {
          name: o.name,
          broker: o.broker,
          codecs: o.codecs,
          logger: o.logger,
          wrappers: o.subscriberWrappers,
          stopSignal: st.stopAc.signal,
          compression: o.compression,
        },
        st.specs,
      );
    }
    if (o.registry) {
      st.registration = await startRegistration(o.registry, record(st, st.listener.address), {
        ttl: o.registerTtl,
        interval: o.registerInterval,
        logger: o.logger,
      });
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
  o.logger.debug({ address: st.listener.address }, 'server started');
}

/** Serves each accepted connection, with one call env made for it so every call's context knows its caller. */
function connect(st: ServerState): (socket: Socket) => void {
  const { o, calls } = st;
  return (socket) => {
    if (!calls.open) {
      socket.close().catch(() => {});
      return;
    }
    const env: CallEnv = {
      name: o.name,
      node: st.node,
      peer: socket.remote,
      routes: st.routes,
      codecs: o.codecs,
      calls,
      maxStreams: o.maxStreamsPerConnection,
    };
    const mux: Mux = createMux(socket, {
      window: o.streamWindow,
      compression: o.compression,
      onRequest: (s, req) => serveRequest(env, mux.size, s, req),
    });
    st.muxes.add(mux);
    void mux.closed.then(() => st.muxes.delete(mux));
  };
}

/** This node's registry record. */
function record(st: ServerState, address: string): ServiceRecord {
  const { o } = st;
  return {
    name: o.name,
    version: o.version,
    metadata: o.metadata,
    endpoints: [...st.routes.values()].map((r) => ({ name: r.name, metadata: { ...r.metadata } })),
    // register_ttl lets a client tell how long a node that stopped answering may stay listed.
    nodes: [
      {
        id: st.node,
        address,
        metadata: {
          ...o.nodeMetadata,
          transport: o.transport.name,
          ...st.listener?.metadata,
          started: String(st.startedAt),
          register_ttl: String(o.registerTtl),
        },
      },
    ],
  };
}

/** Deregisters, lets calls finish or cuts them, waits for quiet connections, then closes everything. */
function stop(st: ServerState): Promise<void> {
  if (st.phase === 'stopping') return st.stopping as Promise<void>;
  if (st.phase !== 'running') return Promise.resolve();
  st.phase = 'stopping';
  st.stopping = stopRunning(st).finally(() => {
    st.stopping = undefined;
  });
  return st.stopping;
}

async function stopRunning(st: ServerState): Promise<void> {
  st.calls.open = false;
  // Deregister first so clients stop picking this node while it drains.
  await st.registration?.stop();
  st.registration = undefined;
  await drain(st);
  await quiesce(st);
  await Promise.allSettled(st.subscribers.map((s) => s.unsubscribe()));
  st.subscribers = [];
  await Promise.allSettled([...st.muxes].map((m) => m.close()));
  await st.listener?.close();
  st.listener = undefined;
  st.phase = 'idle';
  st.o.logger.debug('server stopped');
}

/** Waits for running calls up to the grace period, then cuts the rest and waits for them to answer. */
async function drain(st: ServerState): Promise<void> {
  const { o, calls } = st;
  if (calls.size > 0) {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, o.gracePeriod);
    });
    await Promise.race([calls.idle(), grace]);
    clearTimeout(timer);
  }
  // Not the retryable 503: the handlers did run, so a caller must not repeat a call that is not idempotent.
  const reason = badGateway(
    `${o.name} stopped and cut the call after its grace period of ${o.gracePeriod} ms; the handler may have run (outcome unknown)`,
    { id: o.name },
  );
  st.stopAc.abort(reason);
  calls.cut(reason);
  await calls.idle();
}

/**
 * Lame duck: a client may have sent requests before it learned of the deregistration. Until the
 * connections stay quiet for QUIET_MS (at most the grace period), such requests get a retryable
 * "is stopping" 503 instead of being cut by the close, which would leave the caller not knowing
 * whether the call ran.
 */
async function quiesce(st: ServerState): Promise<void> {
  const until = Date.now() + st.o.gracePeriod;
  let seen = -1;
  while (st.muxes.size > 0 && seen !== st.calls.seen && Date.now() < until) {
    seen = st.calls.seen;
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  }
}
