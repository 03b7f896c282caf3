import { isMicroError, type Logger, serviceUnavailable, silentLogger } from '@tsmicro/core';
import type { Registry, ServiceRecord, WatchEvent } from '../registry.js';
import { applyEvent, freezeVersions, toVersions, type Versions } from './merge.js';

/** Options of {@link cacheRegistry}. */
export interface CacheRegistryOptions {
  /**
   * Ms a looked-up service is served without asking the backend again (watch events keep it current
   * meanwhile). Past it the records are still served at once while a background lookup refreshes them. Default 60_000.
   */
  ttl?: number;
  /** Minimum ms between two backend lookups of one service; also the retry pace while the backend fails. Default 1000. */
  minRefreshInterval?: number;
  /** Ms a backend lookup may take before it counts as failed. Default 5000. */
  lookupTimeout?: number;
  /** Also close the wrapped registry in `close()`. Default false: it is usually shared, e.g. with the server that registers. */
  closeInner?: boolean;
  /** Warnings (backend unreachable, watch lost) go here. Default `silentLogger()`. */
  logger?: Logger;
}

/** A {@link cacheRegistry}: a `Registry` that can also answer from memory without waiting. */
export interface CacheRegistry extends Registry {
  /**
   * The cached records of `name` without a backend call or a promise: fresh ones (looked up within
   * `ttl`, kept current by the watch), or expired non-empty ones while a background lookup refreshes
   * them (as `getService` answers); undefined when a `getService` would have to wait for the backend
   * (never looked up, expired and empty, closed), so the caller falls back to `getService`.
   * Frozen and shared: copy before changing them.
   * @example const records = cache.peek('greeter') ?? (await cache.getService('greeter'))
   */
  peek(name: string): readonly ServiceRecord[] | undefined;
}

interface Entry {
  readonly name: string;
  versions: Versions;
  /** What hits return; undefined until the first successful lookup. */
  snapshot: readonly ServiceRecord[] | undefined;
  /**
   * True from a successful lookup until `ttl` later (or until the watch breaks), cleared by a timer: a
   * hit reads this flag, not the clock: every call by name peeks, and a clock read costs about 50 ns
   * (as much as the rest of the lookup).
   */
  fresh: boolean;
  expiry: NodeJS.Timeout | undefined;
  lastAttempt: number;
  inflight: Promise<readonly ServiceRecord[]> | undefined;
  /** Why the last lookup failed, thrown again (without a backend call) until `minRefreshInterval` passes. */
  lastError: unknown;
  /** Events seen while a lookup is in flight, replayed on its result so none is lost. */
  pending: WatchEvent[] | undefined;
  watch: AbortController | undefined;
}

function resolveOptions(o: CacheRegistryOptions) {
  return {
    ttl: o.ttl ?? 60_000,
    minRefreshInterval: o.minRefreshInterval ?? 1000,
    lookupTimeout: o.lookupTimeout ?? 5000,
    closeInner: o.closeInner ?? false,
    logger: o.logger ?? silentLogger(),
  };
}

/**
 * The client-side registry cache the selector uses: `getService` is answered from memory (O(1) on a
 * hit), kept current by one watch per looked-up service, and concurrent misses share one backend
 * lookup. An entry past its `ttl` (or whose watch broke) is still answered from memory at once while
 * one background lookup refreshes it (stale-while-revalidate; only an empty entry waits for the
 * backend), so while the backend is unreachable the last known records are served (with a warning)
 * and it is retried at most once per `minRefreshInterval`. Hits return a frozen array of frozen records, the
 * same one to every caller until the service changes (no copy per lookup): copy before changing them.
 * `register`, `deregister`, `listServices` and `watch` go straight to the wrapped registry.
 * @example const registry = cacheRegistry(mdnsRegistry(), { ttl: 30_000 })
 */
export function cacheRegistry(inner: Registry, options: CacheRegistryOptions = {}): CacheRegistry {
  const o = resolveOptions(options);
  const log = o.logger.child({ component: 'registry-cache', registry: inner.name });
  const entries = new Map<string, Entry>();
  const loops = new Set<Promise<void>>();
  const closing = new AbortController();

  function expire(e: Entry): void {
    clearTimeout(e.expiry);
    e.expiry = undefined;
    e.fresh = false;
  }

  function freshen(e: Entry): void {
    clearTimeout(e.expiry);
    if (closing.signal.aborted) return;
    e.fresh = true;
    e.expiry = setTimeout(() => expire(e), o.ttl);
    // A cache nobody closes must not keep the process alive.
    e.expiry.unref();
  }

  function publish(e: Entry): void {
    e.snapshot = freezeVersions(e.versions);
  }

  function lookup(name: string): Promise<ServiceRecord[]> {
    let timer: NodeJS.Timeout | undefined;
    let onClose: (() => void) | undefined;
    const bounded = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(serviceUnavailable(`registry ${inner.name}: lookup of ${name} took over ${o.lookupTimeout} ms`)),
        o.lookupTimeout,
      );
      onClose = () => reject(serviceUnavailable('registry cache closed'));
      closing.signal.addEventListener('abort', onClose, { once: true });
    });
    return Promise.race([inner.getService(name), bounded]).finally(() => {
      clearTimeout(timer);
      if (onClose) closing.signal.removeEventListener('abort', onClose);
    });
  }

  function ensureWatch(e: Entry): void {
    if (e.watch) return;
    const ac = new AbortController();
    e.watch = ac;
    const loop = (async () => {
      try {
        for await (const ev of inner.watch({ service: e.name, signal: ac.signal })) {
          e.pending?.push(ev);
          applyEvent(e.versions, ev);
          if (e.snapshot) publish(e);
        }
      } catch (err) {
        if (!ac.signal.aborted) log.warn({ err, service: e.name }, 'registry watch failed');
      } finally {
        if (e.watch === ac) e.watch = undefined;
        // events may have been missed: the next lookup asks the backend (still paced by minRefreshInterval)
        if (!ac.signal.aborted) expire(e);
      }
    })();
    loops.add(loop);
    void loop.finally(() => loops.delete(loop));
  }

  function refresh(e: Entry): Promise<readonly ServiceRecord[]> {
    e.lastAttempt = Date.now();
    ensureWatch(e);
    const pending: WatchEvent[] = [];
    e.pending = pending;
    const run = async () => {
      try {
        const versions = toVersions(await lookup(e.name));
        for (const ev of pending) applyEvent(versions, ev);
        e.versions = versions;
        publish(e);
        freshen(e);
        e.lastError = undefined;
        return e.snapshot ?? [];
      } catch (err) {
        e.lastError = err;
        if (e.snapshot && !closing.signal.aborted) {
          log.warn({ err, service: e.name }, 'registry unreachable: serving cached records');
          return e.snapshot;
        }
        throw toError(err, inner.name, e.name);
      } finally {
        e.inflight = undefined;
        e.pending = undefined;
      }
    };
    e.inflight = run();
    return e.inflight;
  }

  /**
   * An expired entry that still has records is answered from them at once while one paced lookup
   * refreshes it, so a dead backend costs no lookup its timeout. (An empty answer is worth waiting for.)
   */
  function revalidate(e: Entry): void {
    if (!e.inflight && Date.now() - e.lastAttempt >= o.minRefreshInterval) refresh(e).catch(() => {});
  }

  return {
    name: `cache(${inner.name})`,
    register: (s, ro) => inner.register(s, ro),
    deregister: (s) => inner.deregister(s),
    listServices: () => inner.listServices(),
    watch: (wo) => inner.watch(wo),
    peek(name) {
      const e = entries.get(name);
      if (e?.snapshot === undefined || closing.signal.aborted) return undefined;
      if (e.fresh) return e.snapshot;
      if (e.snapshot.length === 0) return undefined;
      revalidate(e);
      return e.snapshot;
    },
    async getService(name) {
      if (closing.signal.aborted) throw serviceUnavailable('registry cache closed');
      let e = entries.get(name);
      if (!e) {
        e = {
          name,
          versions: new Map(),
          snapshot: undefined,
          fresh: false,
          expiry: undefined,
          lastAttempt: 0,
          inflight: undefined,
          lastError: undefined,
          pending: undefined,
          watch: undefined,
        };
        entries.set(name, e);
      }
      if (e.snapshot && e.fresh) return shared(e.snapshot);
      if (e.snapshot && e.snapshot.length > 0) {
        revalidate(e);
        return shared(e.snapshot);
      }
      if (e.inflight) return shared(await e.inflight);
      if (Date.now() - e.lastAttempt < o.minRefreshInterval) {
        if (e.snapshot) return shared(e.snapshot);
        if (e.lastError !== undefined) throw toError(e.lastError, inner.name, name);
      }
      return shared(await refresh(e));
    },
    async close() {
      closing.abort();
      for (const e of entries.values()) {
        e.watch?.abort();
        expire(e);
      }
      entries.clear();
      await Promise.allSettled([...loops]);
      if (o.closeInner) await inner.close();
    },
  };
}

/**
 * The cached, frozen array itself: `Registry.getService` promises a mutable array, but a copy per
 * lookup cost every call; changing it throws a TypeError rather than corrupting the cache.
 */
function shared(records: readonly ServiceRecord[]): ServiceRecord[] {
  return records as ServiceRecord[];
}

function toError(err: unknown, registry: string, service: string): Error {
  if (isMicroError(err)) return err;
  const why = err instanceof Error ? err.message : String(err);
  return serviceUnavailable(`registry ${registry}: cannot look up ${service}: ${why}`, { cause: err });
}
