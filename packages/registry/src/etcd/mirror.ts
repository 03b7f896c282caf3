import type { IKeyValue, Watcher } from 'etcd3';
import { createEventQueue, type EventQueue } from '../internal/event-queue.js';
import { createNodeStore } from '../internal/node-store.js';
import type { ServiceRecord, WatchEvent, WatchOptions } from '../registry.js';
import type { EtcdOps } from './client.js';
import { decodeValue, nodeKey, parseKey } from './keys.js';
import type { ResolvedEtcdOptions } from './options.js';

/** A live copy of everything under the prefix, turned into registry watch events. */
export interface Mirror {
  watch(o: WatchOptions): AsyncIterableIterator<WatchEvent>;
  /** True while any watcher is live (the etcd watch runs only then). */
  readonly active: boolean;
  close(): Promise<void>;
}

interface Entry {
  service: string | undefined;
  q: EventQueue<WatchEvent>;
}

/** A stored node as a record, or undefined when the key or value is not one of ours. */
export function recordOf(prefix: string, kv: IKeyValue): ServiceRecord | undefined {
  const k = parseKey(prefix, kv.key.toString());
  const r = decodeValue(kv.value.toString());
  return k && r && r.name === k.name && r.version === k.version && r.nodes[0]?.id === k.id ? r : undefined;
}

/**
 * Started by the first `watch()`: reads a snapshot of the prefix, then watches from the revision after it,
 * so nothing falls in between. The per-node keys are folded through the same node store as memoryRegistry,
 * so create/update/delete mean the same everywhere (create: a version appears; update: nodes added or
 * changed; delete: nodes gone). Each watcher first gets a `create` per version present when it starts
 * (a remote registry cannot promise a watch is live the instant `watch()` returns, so a registration
 * racing the start is reported either way). When etcd is lost it calls `onLost`, then re-reads the
 * snapshot (reporting the difference) and re-watches, retrying with backoff.
 */
/** `onIdle`: the last watcher left and the etcd watch was cancelled. */
export function createMirror(ops: EtcdOps, o: ResolvedEtcdOptions, onLost: () => void, onIdle: () => void = () => {}): Mirror {
  const entries = new Set<Entry>();
  const matches = (e: Entry, name: string) => e.service === undefined || e.service === name;
  let live = false;
  let loaded = false;
  let started = false;
  let closed = false;
  let current: Watcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  const store = createNodeStore((ev) => {
    if (!live) return;
    for (const e of entries) if (matches(e, ev.service.name)) e.q.push(structuredClone(ev));
  });

  function greet(e: Entry): void {
    for (const r of store.list()) if (matches(e, r.name)) e.q.push({ action: 'create', service: r });
  }

  /** Bumped when the mirror stops for want of watchers: a sync begun before must not start a watch after. */
  let generation = 0;

  async function sync(): Promise<void> {
    const gen = generation;
    const { kvs, revision } = await ops.range(o.prefix);
    if (closed || gen !== generation) return;
    attempt = 0;
    const records = kvs.map((kv) => recordOf(o.prefix, kv)).filter((r) => r !== undefined);
    const present = new Set(records.map((r) => nodeKey(o.prefix, r.name, r.version, r.nodes[0]!.id)));
    // the first snapshot is the starting state, not news; later ones report what changed while disconnected
    live = loaded;
    for (const r of store.list())
      for (const n of r.nodes) if (!present.has(nodeKey(o.prefix, r.name, r.version, n.id))) store.remove({ ...r, nodes: [n] });
    for (const r of records) store.upsert(r, undefined);
    live = true;
    if (!loaded) {
      loaded = true;
      for (const e of entries) greet(e);
    }
    const { etcd } = await ops.client();
    if (closed || gen !== generation) return;
    const w = etcd
      .watch()
      .prefix(o.prefix)
      .startRevision(String(BigInt(revision) + 1n))
      .watcher();
    current = w;
    w.on('put', (kv) => {
      const r = recordOf(o.prefix, kv);
      if (r) store.upsert(r, undefined);
      else o.logger.warn({ key: kv.key.toString() }, 'etcd registry: ignoring a value that is not a service node');
    });
    w.on('delete', (kv) => {
      const k = parseKey(o.prefix, kv.key.toString());
      if (k)
        store.remove({ name: k.name, version: k.version, metadata: {}, endpoints: [], nodes: [{ id: k.id, address: '', metadata: {} }] });
    });
    w.on('disconnected', (err) => lost(w, err));
    w.on('error', (err) => lost(w, err));
  }

  function lost(w: Watcher, err: unknown): void {
    if (w !== current || closed) return;
    current = undefined;
    w.cancel().catch(() => undefined);
    o.logger.warn({ err }, 'etcd registry: watch lost, re-reading and re-watching');
    onLost();
    schedule();
  }

  function schedule(): void {
    if (closed) return;
    const delay = Math.min(o.retryDelay, 100 * 2 ** attempt++);
    timer = setTimeout(run, delay);
  }

  function run(): void {
    timer = undefined;
    sync().catch((err: unknown) => {
      o.logger.warn({ err }, 'etcd registry: cannot read the registry yet, retrying');
      schedule();
    });
  }

  /** No watcher left: the etcd watch and the copy go; the next watcher starts from a fresh snapshot. */
  function stop(): void {
    generation++;
    clearTimeout(timer);
    timer = undefined;
    started = false;
    loaded = false;
    live = false;
    attempt = 0;
    store.clear();
    const w = current;
    current = undefined;
    if (w) w.cancel().then(onIdle, onIdle);
    else onIdle();
  }

  return {
    get active() {
      return entries.size > 0;
    },
    watch(opts) {
      const q = createEventQueue<WatchEvent>(opts.signal);
      if (closed) q.end();
      if (q.ended) return q;
      const e: Entry = { service: opts.service, q };
      entries.add(e);
      q.onEnd(() => {
        entries.delete(e);
        if (entries.size === 0 && !closed) stop();
      });
      if (loaded) greet(e);
      if (!started) {
        started = true;
        run();
      }
      return q;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const e of [...entries]) e.q.end();
      store.clear();
      const w = current;
      current = undefined;
      if (w) {
        let t: NodeJS.Timeout | undefined;
        // cancelling waits for etcd to confirm; an unreachable etcd must not hold close() up
        await Promise.race([w.cancel().catch(() => undefined), new Promise<void>((r) => (t = setTimeout(r, 1000)))]);
        clearTimeout(t);
      }
    },
  };
}
