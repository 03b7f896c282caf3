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
  const hub = createWatchHub();
  const store = createNodeStore((e) => hub.emit(e));
  const local = new Map<string, LocalNode>();
  const timers = new Set<NodeJS.Timeout>();
  let reannounce: NodeJS.Timeout | undefined;
  let closed = false;

  const socket = openMdns({ port: o.port, interface: o.interface }).then((m) => {
    if (closed) {
      m.destroy();
      throw serviceUnavailable('mdns registry closed');
    }
    m.on('response', onResponse);
    m.on('query', onQuery);
    m.on('error', (err) => log.error({ err }, 'mdns socket error'));
    m.on('warning', (err) => log.debug({ err }, 'mdns warning'));
    return m;
  });
  // the first lookups wait a moment for peers to answer the startup query, so a fresh registry is not blind
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

  function onQuery(q: QueryPacket, rinfo: RemoteInfo): void {
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
    void socket.then(async (m) => {
      if (meta && answer.size === 0 && liveLocal().size > 0)
        await respond(m, [{ name: META_QUERY, type: 'PTR', ttl: 120, data: SERVICE_TYPE }]);
      for (const n of answer) await announce(m, n.announcement, false);
    });
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
      void socket.then(async (m) => {
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
    return socket;
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
    },
    async getService(name: string) {
      const m = await open();
      await discovered;
      const known = store.get(name);
      if (known.length > 0) return known;
      // A miss asks the network for this service: a peer that registered after our startup query, or
      // whose answer came late on a busy host, is found now instead of being reported as unknown.
      m.query([{ name: subtypeName(name), type: 'PTR' }]);
      await firstEvent(name, MISS_WAIT_FACTOR * o.discoveryTimeout);
      return store.get(name);
    },
    async listServices() {
      await open();
      await discovered;
      return store.list();
    },
    watch(wo) {
      return hub.watch(wo);
    },
    async close() {
      if (closed) return;
      closed = true;
      hub.close();
      store.clear();
      local.clear();
      clearInterval(reannounce);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      endDiscovery();
      const m = await socket.catch(() => undefined);
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
