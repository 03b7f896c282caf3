import { isMicroError, type Logger, serviceUnavailable } from '@tsmicro/core';
import type { Transport } from '@tsmicro/transport';
import { createMux, type Mux, type MuxCompression } from '@tsmicro/transport/rpc';

/** A few multiplexed connections per node address. */
export interface Pool {
  /**
   * A live connection to `address`: the least busy one, or a new one while under `size` and every
   * open one has {@link BUSY_AT} calls in flight. Rejects with a 503 when connecting fails.
   */
  get(address: string): Promise<Mux>;
  /** What `get` would return when that needs no dial: an open connection, synchronously (the hot path); undefined otherwise. */
  pick(address: string): Mux | undefined;
  /** Drops a connection (e.g. after it failed a ping). */
  drop(mux: Mux): void;
  close(): Promise<void>;
}

/**
 * Calls in flight on a connection before the pool opens another to the same node. Calls share a
 * connection well (one write carries many frames), so a second one only pays off once the first is
 * really busy; it then also limits head-of-line blocking behind large messages.
 */
export const BUSY_AT = 128;

interface Node {
  conns: Mux[];
  dialing: Array<Promise<Mux>>;
}

/** Options of {@link createPool}. */
export interface PoolOptions {
  transport: Transport;
  size: number;
  dialTimeout: number;
  pingInterval: number;
  window: number;
  compression?: MuxCompression;
  logger: Logger;
}

/** Creates the client's connection pool; a connection that closes leaves the pool at once. */
export function createPool(o: PoolOptions): Pool {
  const nodes = new Map<string, Node>();
  // Bumped by close(): a dial that finishes after it closes its connection instead of pooling it.
  let generation = 0;

  const remove = (address: string, mux: Mux) => {
    const n = nodes.get(address);
    if (!n) return;
    n.conns = n.conns.filter((c) => c !== mux);
    if (n.conns.length === 0 && n.dialing.length === 0) nodes.delete(address);
  };

  const dial = async (address: string, n: Node): Promise<Mux> => {
    const gen = generation;
    let mux: Mux;
    try {
      mux = createMux(await o.transport.dial(address, { timeout: o.dialTimeout }), {
        window: o.window,
        ...(o.compression && { compression: o.compression }),
      });
    } catch (e) {
      const why = isMicroError(e) ? e.detail : e instanceof Error ? e.message : String(e);
      throw serviceUnavailable(`cannot connect to ${address}: ${why}`, { cause: e });
    }
    if (gen !== generation) {
      await mux.close();
      throw serviceUnavailable(`the client closed while connecting to ${address}`);
    }
    n.conns.push(mux);
    void mux.closed.then(() => remove(address, mux));
    return mux;
  };

  // Idle connections are pinged so a silently dead peer is found before a call lands on it.
  let pinger: NodeJS.Timeout | undefined;
  const startPinger = () => {
    if (pinger || o.pingInterval <= 0) return;
    pinger = setInterval(() => {
      for (const n of nodes.values()) {
        for (const mux of n.conns) {
          if (mux.size > 0) continue;
          void mux.ping(Math.min(o.pingInterval, 5000)).then((ok) => {
            if (!ok && !mux.isClosed) {
              o.logger.debug({ remote: mux.remote }, 'connection failed its ping; dropping it');
              void mux.close();
            }
          });
        }
      }
    }, o.pingInterval);
    // A keepalive should never be what keeps the process running.
    pinger.unref();
  };

  /** The connection to use without dialing, if there is one that suits. */
  const pick = (n: Node): Mux | undefined => {
    let best: Mux | undefined;
    for (const c of n.conns) if (!c.isClosed && (!best || c.size < best.size)) best = c;
    // Busy, but another connection is already on its way or the pool is full: share this one meanwhile.
    if (best && (best.size < BUSY_AT || n.dialing.length > 0 || n.conns.length >= o.size)) return best;
    return undefined;
  };

  return {
    pick(address) {
      const n = nodes.get(address);
      return n ? pick(n) : undefined;
    },
    async get(address) {
      startPinger();
      let n = nodes.get(address);
      if (!n) {
        n = { conns: [], dialing: [] };
        nodes.set(address, n);
      }
      const best = pick(n);
      if (best) return best;
      // No usable connection yet: one dial at a time, so a burst of first calls opens one connection, not `size`.
      if (n.dialing[0]) return n.dialing[0];
      const node = n;
      const p = dial(address, node).finally(() => {
        node.dialing = node.dialing.filter((d) => d !== p);
        if (node.conns.length === 0 && node.dialing.length === 0 && nodes.get(address) === node) nodes.delete(address);
      });
      node.dialing.push(p);
      return p;
    },
    drop(mux) {
      void mux.close();
    },
    async close() {
      generation++;
      clearInterval(pinger);
      pinger = undefined;
      const all = [...nodes.values()];
      nodes.clear();
      await Promise.allSettled(all.flatMap((n) => n.dialing));
      await Promise.allSettled(all.flatMap((n) => n.conns.map((c) => c.close())));
    },
  };
}
