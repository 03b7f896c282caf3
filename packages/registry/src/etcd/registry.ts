import { serviceUnavailable } from '@tsmicro/core';
import { validate } from '../internal/records.js';
import type { RegisterOptions, Registry, ServiceNode, ServiceRecord, WatchOptions } from '../registry.js';
import { createEtcdOps } from './client.js';
import { aggregate, encodeValue, nodeKey, serviceKey, versionKey } from './keys.js';
import { createMirror, recordOf } from './mirror.js';
import { type EtcdRegistryOptions, resolveOptions } from './options.js';

/** What this instance registered, so heartbeats renew instead of rewriting and a lost etcd can be refilled. */
interface Own {
  value: string;
  ttl: number | undefined;
  lease: string | undefined;
}

/**
 * A registry in etcd (v3 API). Each node is one key `<prefix><name>/<version>/<node id>` holding the
 * service record with that node, bound to a lease of the registration's ttl: registering again (the
 * heartbeat) renews the lease, or rewrites the key when the record changed or the lease was lost;
 * a node not re-registered within its ttl expires in etcd for every watcher. After etcd was lost
 * (restart, failed member) the instance writes back every node it registered and re-establishes its watch.
 * Needs the optional peer dependency `etcd3`.
 * @example const registry = etcdRegistry({ hosts: ['http://127.0.0.1:2379'] }); await registry.register(record, { ttl: 10_000 })
 */
/** Ms an idle registry keeps its etcd connection before closing it: back-to-back operations share one. */
const IDLE_RELEASE_MS = 1000;

export function etcdRegistry(options: EtcdRegistryOptions = {}): Registry {
  const o = resolveOptions(options);
  const ops = createEtcdOps(o);
  const owned = new Map<string, Own>();
  let closed = false;
  let refill: NodeJS.Timeout | undefined;
  let refillAttempt = 0;
  const mirror = createMirror(
    ops,
    o,
    () => scheduleRefill(),
    () => releaseWhenIdle(),
  );
  /** Operations running now. */
  let inflight = 0;
  let idle: NodeJS.Timeout | undefined;

  /**
   * With no node of its own registered, no watcher and no operation running, the registry closes its
   * etcd connection after a short grace (an unref'd timer): a stopped service's process can exit, and
   * the next operation connects again. A shared registry stays connected while any user is active.
   */
  function releaseWhenIdle(): void {
    const busy = () => closed || owned.size > 0 || inflight > 0 || refill !== undefined || mirror.active;
    if (busy()) return;
    clearTimeout(idle);
    idle = setTimeout(() => {
      idle = undefined;
      if (!busy()) void ops.release();
    }, IDLE_RELEASE_MS);
    idle.unref();
  }

  // writes of one key run one after another: two overlapping ones could each revoke the other's lease
  const queues = new Map<string, Promise<void>>();
  function serially(key: string, fn: () => Promise<void>): Promise<void> {
    const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
  }

  async function write(key: string, own: Own): Promise<void> {
    const lease = own.ttl === undefined ? undefined : await ops.grant(own.ttl);
    await ops.put(key, own.value, lease);
    const previous = owned.get(key)?.lease;
    owned.set(key, { ...own, lease });
    // the key moved to the new lease before the old one goes, so it never disappears in between
    if (previous && previous !== lease) ops.revoke(previous).catch(() => undefined);
  }

  async function registerNode(s: ServiceRecord, node: ServiceNode, ttl: number | undefined): Promise<void> {
    const key = nodeKey(o.prefix, s.name, s.version, node.id);
    const value = encodeValue(s, node);
    await serially(key, async () => {
      const own = owned.get(key);
      if (own?.lease && own.value === value && own.ttl === ttl && (await ops.keepAlive(own.lease))) return;
      await write(key, { value, ttl, lease: undefined });
    });
  }

  /** Writes back every registered node until one round succeeds; run after etcd was lost. */
  function scheduleRefill(): void {
    if (closed || refill) return;
    const delay = Math.min(o.retryDelay, 100 * 2 ** refillAttempt++);
    refill = setTimeout(() => {
      Promise.all(
        [...owned.keys()].map((key) =>
          serially(key, async () => {
            const own = owned.get(key); // deregistered meanwhile: nothing to write back
            if (own) await write(key, own);
          }),
        ),
      ).then(
        () => {
          refill = undefined;
          refillAttempt = 0;
          releaseWhenIdle();
          if (owned.size > 0) o.logger.info({ nodes: owned.size }, 'etcd registry: registrations written back after etcd was lost');
        },
        (err: unknown) => {
          refill = undefined;
          o.logger.warn({ err }, 'etcd registry: etcd still unreachable, will write registrations back later');
          scheduleRefill();
        },
      );
    }, delay);
  }

  /** Runs an operation; a connection failure also starts the refill, so etcd coming back gets our nodes again. */
  async function guarded<T>(fn: () => Promise<T>): Promise<T> {
    inflight++;
    clearTimeout(idle);
    try {
      return await fn();
    } catch (e) {
      if (ops.isConnectionError(e)) scheduleRefill();
      throw e;
    } finally {
      inflight--;
      releaseWhenIdle();
    }
  }

  async function read(prefix: string): Promise<ServiceRecord[]> {
    if (closed) throw serviceUnavailable('etcd registry is closed');
    const { kvs } = await ops.range(prefix);
    return aggregate(kvs.map((kv) => recordOf(o.prefix, kv)).filter((r) => r !== undefined));
  }

  return {
    name: 'etcd',
    async register(s: ServiceRecord, ro: RegisterOptions = {}) {
      validate(s);
      if (closed) return;
      const ttl = ro.ttl ?? o.defaultTtl;
      await guarded(() => Promise.all(s.nodes.map((n) => registerNode(s, n, ttl))));
    },
    async deregister(s: ServiceRecord) {
      validate(s);
      if (closed) return;
      const dropOwn = async (key: string) => {
        const lease = owned.get(key)?.lease;
        owned.delete(key);
        if (lease) await ops.revoke(lease);
      };
      await guarded(async () => {
        if (s.nodes.length === 0) {
          const prefix = versionKey(o.prefix, s.name, s.version);
          await ops.deletePrefix(prefix);
          await Promise.all([...owned.keys()].filter((k) => k.startsWith(prefix)).map((k) => serially(k, () => dropOwn(k))));
          return;
        }
        const keys = s.nodes.map((n) => nodeKey(o.prefix, s.name, s.version, n.id));
        await Promise.all(
          keys.map((k) =>
            serially(k, async () => {
              await ops.deleteKey(k);
              await dropOwn(k);
            }),
          ),
        );
      });
    },
    getService: (name: string) => guarded(() => read(serviceKey(o.prefix, name))),
    listServices: () => guarded(() => read(o.prefix)),
    watch(wo: WatchOptions = {}) {
      return mirror.watch(wo);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(idle);
      clearTimeout(refill);
      refill = undefined;
      await mirror.close();
      await ops.close();
    },
  };
}
