import { setTimeout as sleep } from 'node:timers/promises';
import { createEventQueue } from '../internal/event-queue.js';
import { createNodeStore } from '../internal/node-store.js';
import type { ServiceRecord, WatchEvent, WatchOptions } from '../registry.js';
import { fromHealthEntry, type HealthEntry } from './codec.js';
import type { ConsulHttp } from './http.js';
import type { ResolvedConsulOptions } from './options.js';

/** The nodes of one service as one record per version. */
export function byVersion(records: readonly ServiceRecord[]): ServiceRecord[] {
  const m = new Map<string, ServiceRecord>();
  for (const r of records) {
    const prev = m.get(r.version);
    m.set(r.version, prev ? { ...prev, nodes: [...prev.nodes, ...r.nodes] } : r);
  }
  return [...m.values()];
}

/**
 * Blocking query after blocking query: `index` is the `X-Consul-Index` of the previous answer, so Consul
 * holds the request until something changes or `wait` passes. Calls `onResult` with each answer.
 */
async function follow(
  http: ConsulHttp,
  o: ResolvedConsulOptions,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal,
  onResult: (body: unknown) => void,
): Promise<void> {
  let index = '';
  let failures = 0;
  while (!signal.aborted) {
    try {
      const blocking = index ? { index, wait: `${o.watchWait}ms` } : {};
      const res = await http.call('GET', path, { query: { ...query, ...blocking }, signal, timeout: o.watchWait + o.timeout });
      const next = Number(res.headers['x-consul-index'] ?? 0);
      // Consul's rules: an index going backwards means the agent's state was reset; never send 0 (it would not block)
      index = String(next < Number(index || 0) ? 1 : Math.max(1, next));
      failures = 0;
      onResult(res.body);
    } catch (err) {
      if (signal.aborted) return;
      o.logger.warn({ err, path }, 'consul registry: watch query failed, retrying');
      index = '';
      await sleep(Math.min(o.retryDelay, 100 * 2 ** failures++), undefined, { signal }).catch(() => undefined);
    }
  }
}

/**
 * A watch on `GET /v1/health/service/:name?passing=true` (one service), or on `GET /v1/catalog/services`
 * plus one health query per service (all services). Answers are folded through the node store memoryRegistry
 * uses, so events mean the same: the first answer reports every present version as `create`, a node that
 * stops passing its TTL check is a `delete`.
 */
export function consulWatch(
  http: ConsulHttp,
  o: ResolvedConsulOptions,
  wo: WatchOptions,
  closing: AbortSignal,
): AsyncIterableIterator<WatchEvent> {
  const q = createEventQueue<WatchEvent>(wo.signal);
  const stop = new AbortController();
  const end = () => q.end();
  closing.addEventListener('abort', end, { once: true });
  q.onEnd(() => {
    stop.abort();
    closing.removeEventListener('abort', end);
  });
  if (closing.aborted) q.end();
  if (q.ended) return q;
  const store = createNodeStore((e) => q.push(e));

  function apply(name: string, body: unknown): void {
    const records = byVersion((Array.isArray(body) ? (body as HealthEntry[]) : []).map(fromHealthEntry).filter((r) => r !== undefined));
    const present = new Set(records.flatMap((r) => r.nodes.map((n) => `${r.version}\0${n.id}`)));
    for (const r of store.get(name)) for (const n of r.nodes) if (!present.has(`${r.version}\0${n.id}`)) store.remove({ ...r, nodes: [n] });
    for (const r of records) store.upsert(r, undefined);
  }

  const watchService = (name: string, signal: AbortSignal) =>
    follow(http, o, `/v1/health/service/${encodeURIComponent(name)}`, { passing: 'true' }, signal, (body) => apply(name, body));

  if (wo.service !== undefined) {
    void watchService(wo.service, stop.signal);
    return q;
  }
  const perService = new Map<string, AbortController>();
  stop.signal.addEventListener('abort', () => {
    for (const c of perService.values()) c.abort();
  });
  void follow(http, o, '/v1/catalog/services', {}, stop.signal, (body) => {
    const names = new Set(Object.keys(typeof body === 'object' && body !== null ? body : {}));
    for (const [name, c] of perService) {
      if (names.has(name)) continue;
      c.abort();
      perService.delete(name);
      apply(name, []);
    }
    for (const name of names) {
      if (perService.has(name)) continue;
      const c = new AbortController();
      perService.set(name, c);
      void watchService(name, c.signal);
    }
  });
  return q;
}
