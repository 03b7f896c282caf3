import { badGateway, type Logger, type MicroError } from '@tsmicro/core';
import type { Mux } from '@tsmicro/transport/rpc';

/** Options of {@link createKeepalive}. */
export interface KeepaliveOptions {
  /** Ms an idle connection (no call in flight) may stay silent before it is pinged; 0 disables idle pings. */
  idle: number;
  /** Ms a connection with calls in flight may stay silent before it is pinged; 0 disables busy pings. */
  busy: number;
  /** Ms a ping may wait for its pong; past it the peer counts as frozen. */
  timeout: number;
  logger: Logger;
  /** The peer did not answer a ping: the connection is closed with `reason` (its calls fail with it). */
  onDead(mux: Mux, address: string, reason: MicroError): void;
}

/** Liveness of the client's connections. */
export interface Keepalive {
  /** Starts watching a new connection to `address`; it is forgotten once closed. */
  watch(mux: Mux, address: string): void;
  /** Stops the timer; pings in flight settle on their own. */
  close(): void;
}

interface Watched {
  address: string;
  /** `mux.received` at the last look: unchanged means the peer said nothing since. */
  heard: number;
  quietSince: number;
  pinging: boolean;
}

/**
 * Pings a connection that has been silent for `busy` ms while calls are in flight, or `idle` ms
 * without calls (as gRPC keepalive does), and declares the peer frozen when no pong comes within
 * `timeout` while nothing else arrived either. A stopped process keeps its sockets open, so without this every call sent to it would
 * wait for its whole deadline. One timer for all connections, unref'd, running only while any exist.
 * @example const k = createKeepalive({ idle: 30_000, busy: 250, timeout: 1000, logger, onDead: (m, a, why) => void m.close(why) })
 */
export function createKeepalive(o: KeepaliveOptions): Keepalive {
  const watched = new Map<Mux, Watched>();
  let timer: NodeJS.Timeout | undefined;
  const periods = [o.idle, o.busy].filter((ms) => ms > 0);
  // A tick of half the shorter period finds a silence at most half a period late.
  const tickMs = periods.length === 0 ? 0 : Math.max(10, Math.floor(Math.min(...periods) / 2));

  const ping = (mux: Mux, w: Watched, calls: number) => {
    w.pinging = true;
    const before = mux.received;
    void mux.ping(o.timeout).then((ok) => {
      w.pinging = false;
      // Frames arrived while the pong was late: the peer is alive, only behind (its pong queued after work).
      if (ok || mux.isClosed || mux.received !== before) return;
      const detail =
        calls > 0
          ? `${w.address} stopped answering: no reply to a ping within ${o.timeout} ms while ${calls} calls were in flight, after the requests were sent; the handler may have run (outcome unknown)`
          : `${w.address} stopped answering: no reply to a ping within ${o.timeout} ms`;
      o.logger.warn({ remote: w.address, calls }, 'connection failed its keepalive ping; closing it');
      o.onDead(mux, w.address, badGateway(detail));
    });
  };

  const tick = () => {
    const now = Date.now();
    for (const [mux, w] of watched) {
      if (mux.isClosed) {
        watched.delete(mux);
        continue;
      }
      if (mux.received !== w.heard) {
        w.heard = mux.received;
        w.quietSince = now;
      }
      if (w.pinging) continue;
      const calls = mux.size;
      const after = calls > 0 ? o.busy : o.idle;
      if (after > 0 && now - w.quietSince >= after) ping(mux, w, calls);
    }
    if (watched.size === 0) stop();
  };

  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };

  return {
    watch(mux, address) {
      if (tickMs === 0) return;
      watched.set(mux, { address, heard: mux.received, quietSince: Date.now(), pinging: false });
      if (!timer) {
        timer = setInterval(tick, tickMs);
        // A keepalive should never be what keeps the process running.
        timer.unref();
      }
    },
    close() {
      stop();
      watched.clear();
    },
  };
}
