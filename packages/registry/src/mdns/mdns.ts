import type { RemoteInfo } from 'node:dgram';
import { badRequest, serviceUnavailable } from '@tsmicro/core';
import type { MulticastDNS, QueryPacket, ResponsePacket } from 'multicast-dns';
import { createNodeStore } from '../internal/node-store.js';
import { validate } from '../internal/records.js';
import { createWatchHub } from '../internal/watch-hub.js';
import type { Registry, ServiceNode, ServiceRecord } from '../registry.js';
import { type MdnsRegistryOptions, resolveOptions } from './options.js';
import { announcementsOf, instanceName, META_QUERY, nodeAnswers, parseResponse, SERVICE_TYPE, subtypeName } from './packets.js';
import { openMdns, respond } from './socket.js';
import { encodeTxt, type NodeAnnouncement } from './txt.js';

/** One open multicast socket and the discovery wait that began with it. */
interface Session {
  socket: Promise<MulticastDNS>;
  discovered: Promise<void>;
  endDiscovery(): void;
}

/** Ms an idle registry keeps its socket before closing it: back-to-back uses share one socket. */
const IDLE_RELEASE_MS = 1000;

interface LocalNode {
  announcement: NodeAnnouncement;
  /** Epoch ms after which this node is no longer ours to announce; `undefined` while registered without ttl. */
  expiresAt: number | undefined;
}

/**
 * Zero-configuration discovery over multicast DNS (DNS-SD): every node is an instance of
 * `_micro._tcp.local` (subtype `_<service>._sub._micro._tcp.local`) with SRV, TXT and A records, so
 * ordinary mDNS browsers list it; the TXT records carry the whole record. Registering announces,
 * deregistering says goodbye (ttl 0), every re-register re-announces (the heartbeat) and peers drop a
 * node not re-announced within its ttl.
 * @example const registry = mdnsRegistry({ interface: '127.0.0.1' })
 */
export function mdnsRegistry(options: MdnsRegistryOptions = {}): Registry {
  const o = resolveOptions(options);
  const log = o.logger.child({ component: 'mdns-registry' });
  const hub = createWatchHub(() => releaseWhenIdle());
  const store = createNodeStore((e) => hub.emit(e));
  const local = new Map<string, LocalNode>();
  const timers = new Set<NodeJS.Timeout>();
  let reannounce: NodeJS.Timeout | undefined;
  let closed = false;
  /** The open socket, while anything uses the registry; an idle registry holds none (see releaseWhenIdle). */
  let session: Session | undefined;
  /** Lookups waiting for answers. */
  let lookups = 0;
  let idle: NodeJS.Timeout | undefined;

  function openSession(): Session {
    const socket = openMdns({ port: o.port, interface: o.interface }).then((m) => {
      if (closed || session?.socket !== socket) {
        m.destroy();
        throw serviceUnavailable('mdns registry closed');
      }
      m.on('response', onResponse);
      m.on('query', (q: QueryPacket, rinfo: RemoteInfo) => onQuery(m, q, rinfo));
      m.on('error', (err) => log.error({ err }, 'mdns socket error'));
      m.on('warning', (err) => log.debug({ err }, 'mdns warning'));
      return m;
    });
    // the first lookups wait a moment for peers to answer the startup query, so a fresh socket is not blind
    let endDiscovery: () => void = () => {};
    const discovered = new Promise<void>((resolve) => {
      endDiscovery = resolve;
    });
    socket.then(
      (m) => {
        m.query([{ name: SERVICE_TYPE, type: 'PTR' }]);
        const t = setTimeout(() => {
          timers.delete(t);
          endDiscovery();
        }, o.discoveryTimeout);
        timers.add(t);
      },
      () => endDiscovery(),
    );
    socket.catch((err: unknown) => log.error({ err }, 'mdns registry could not start'));
    return { socket, discovered, endDiscovery };
  }

  /**
   * With nothing of its own to announce, no watcher and no lookup waiting, the registry closes its
   * socket after a short grace (an unref'd timer): a stopped service's process can exit, and the next
   * use opens a fresh socket and asks the network again. A shared registry stays open while any user
   * of it is active.
   */
  function releaseWhenIdle(): void {
    if (closed || !session || local.size > 0 || hub.size > 0 || lookups > 0) return;
    clearTimeout(idle);
    idle = setTimeout(() => {
      idle = undefined;
      if (closed || !session || local.size > 0 || hub.size > 0 || lookups > 0) return;
      const s = session;
      session = undefined;
      store.clear();
      s.endDiscovery();
      void s.socket.then(
        (m) => m.destroy(),
        () => undefined,
      );
      log.debug('mdns registry idle: socket closed until the next use');
    }, IDLE_RELEASE_MS);
    idle.unref();
  }

  function current(): Session {
    if (idle) {
      clearTimeout(idle);
      idle = undefined;
    }
    session ??= openSession();
    return session;
  }

  const fromAllowed = (rinfo: RemoteInfo) => !o.loopbackOnly || rinfo.address.startsWith('127.') || rinfo.address === '::1';

  function liveLocal(): Map<string, LocalNode> {
    const now = Date.now();
    for (const [k, n] of local) if (n.expiresAt !== undefined && n.expiresAt <= now) local.delete(k);
    return local;
  }

  function onResponse(p: ResponsePacket, rinfo: RemoteInfo): void {
    if (closed || !fromAllowed(rinfo)) return;
    for (const h of parseResponse(p)) {
      // our own nodes are kept by register/deregister, not by our looped-back packets
      if (local.has(h.instance)) continue;
      if (h.goodbye) store.remove(h.record);
      else store.upsert(h.record, h.ttl);
    }
  }

  function onQuery(m: MulticastDNS, q: QueryPacket, rinfo: RemoteInfo): void {
    if (closed || !fromAllowed(rinfo)) return;
    const answer = new Set<LocalNode>();
    let meta = false;
    for (const question of q.questions ?? []) {
      const name = question.name.toLowerCase();
      if (name === META_QUERY) meta = true;
      for (const [instance, n] of liveLocal()) {
        const r = n.announcement.record;
        if (name === SERVICE_TYPE || name === subtypeName(r.name) || name === instance.toLowerCase()) answer.add(n);
      }
    }
    void (async () => {
      if (meta && answer.size === 0 && liveLocal().size > 0)
        await respond(m, [{ name: META_QUERY, type: 'PTR', ttl: 120, data: SERVICE_TYPE }]);
      for (const n of answer) await announce(m, n.announcement, false);
    })();
  }

  async function announce(m: MulticastDNS, a: NodeAnnouncement, goodbye: boolean): Promise<void> {
    const err = await respond(m, nodeAnswers(a, a.ttl ?? o.defaultTtl, goodbye));
    if (err) log.warn({ err, service: a.record.name }, 'mdns announcement failed');
  }

  function ensureReannounce(): void {
    const ttlLess = [...local.values()].filter((n) => n.expiresAt === undefined);
    if (ttlLess.length === 0 || reannounce || closed) {
      if (ttlLess.length === 0 && reannounce) {
        clearInterval(reannounce);
        reannounce = undefined;
      }
      return;
    }
    reannounce = setInterval(() => {
      void open().then(async (m) => {
        for (const n of local.values()) if (n.expiresAt === undefined) await announce(m, n.announcement, false);
      });
    }, o.defaultTtl / 3);
  }

  /** Resolves on the first watch event for `name`, or after `ms`. */
  async function firstEvent(name: string, ms: number): Promise<void> {
    const ac = new AbortController();
    const t = setTimeout(() => ac.abort(), ms);
    timers.add(t);
    try {
      for await (const _ of hub.watch({ service: name, signal: ac.signal })) break;
    } finally {
      clearTimeout(t);
      timers.delete(t);
      ac.abort();
    }
  }

  async function open(): Promise<MulticastDNS> {
    if (closed)
      throw serviceUnavailable(
        'mdns registry closed: close() was called on it (a service closes its defaulted registry on stop()); make a new mdnsRegistry() to keep using mDNS',
      );
    return current().socket;
  }

  /** Runs a lookup: the socket stays open while it waits for answers. */
  async function lookup<T>(fn: (m: MulticastDNS, discovered: Promise<void>) => Promise<T>): Promise<T> {
    lookups++;
    try {
      const m = await open();
      return await fn(m, (session as Session).discovered);
    } finally {
      lookups--;
      releaseWhenIdle();
    }
  }

  return {
    name: 'mdns',
    async register(s: ServiceRecord, ro = {}) {
      validate(s);
      const m = await open();
      const ttl = ro.ttl;
      const announcements = announcementsOf(s, ttl ?? o.defaultTtl);
      const bytes = txtBytes(s, announcements[0]);
      if (bytes > SOFT_LIMIT)
        log.warn({ service: s.name, bytes }, 'mdns announcement exceeds 9000 bytes: other mDNS implementations may drop it');
      for (const a of announcements) {
        const n = a.record.nodes[0] as ServiceNode;
        local.set(instanceName(s.name, s.version, n.id), { announcement: a, expiresAt: ttl === undefined ? undefined : Date.now() + ttl });
      }
      store.upsert(s, ttl);
      ensureReannounce();
      for (const a of announcements) await announce(m, a, false);
    },
    async deregister(s: ServiceRecord) {
      validate(s);
      const m = await open();
      // with no nodes listed, the whole version goes, but only the nodes this registry announces: others' nodes are theirs to retract
      const nodes =
        s.nodes.length > 0
          ? s.nodes
          : [...local.values()]
              .map((n) => n.announcement.record)
              .filter((r) => r.name === s.name && r.version === s.version)
              .flatMap((r) => r.nodes);
      const record = { ...s, nodes };
      for (const n of nodes) local.delete(instanceName(s.name, s.version, n.id));
      store.remove(record);
      ensureReannounce();
      for (const a of announcementsOf(record, undefined)) await announce(m, a, true);
      releaseWhenIdle();
    },
    getService(name: string) {
      return lookup(async (m, discovered) => {
        await discovered;
        const known = store.get(name);
        if (known.length > 0) return known;
        // A miss asks the network for this service: a peer that registered after our startup query, or
        // whose answer came late on a busy host, is found now instead of being reported as unknown.
        m.query([{ name: subtypeName(name), type: 'PTR' }]);
        await firstEvent(name, MISS_WAIT_FACTOR * o.discoveryTimeout);
        return store.get(name);
      });
    },
    listServices() {
      return lookup(async (_m, discovered) => {
        await discovered;
        return store.list();
      });
    },
    watch(wo) {
      // A watcher keeps the socket open (and opens it), so events keep coming.
      if (!closed) current();
      return hub.watch(wo);
    },
    async close() {
      if (closed) return;
      closed = true;
      hub.close();
      store.clear();
      local.clear();
      clearInterval(reannounce);
      clearTimeout(idle);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const s = session;
      session = undefined;
      if (!s) return;
      s.endDiscovery();
      const m = await s.socket.catch(() => undefined);
      if (m) await new Promise<void>((resolve) => m.destroy(() => resolve()));
    },
  };
}

/** A lookup miss waits this many discovery timeouts for a targeted answer (it ends at the first one). */
const MISS_WAIT_FACTOR = 3;
/** RFC 6762 §17: mDNS packets up to 9000 bytes; past ~64 KB a UDP datagram cannot carry it at all. */
const SOFT_LIMIT = 9000;
const HARD_LIMIT = 60_000;

/** TXT bytes of one announcement; throws when no datagram could carry it. */
function txtBytes(s: ServiceRecord, a: NodeAnnouncement | undefined): number {
  if (!a) return 0;
  const bytes = encodeTxt(a).reduce((n, b) => n + b.length + 1, 0);
  if (bytes > HARD_LIMIT) {
    throw badRequest(
      `mdns: service ${s.name} is too large to announce (${bytes} bytes of TXT data, limit ${HARD_LIMIT}): trim its metadata or endpoints`,
    );
  }
  return bytes;
}
