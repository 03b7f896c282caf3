import { isMicroError, serviceUnavailable } from '@tsmicro/core';
import { validate } from '../internal/records.js';
import type { RegisterOptions, Registry, ServiceRecord, WatchOptions } from '../registry.js';
import { checkId, fromHealthEntry, type HealthEntry, serviceId, toServiceDef } from './codec.js';
import { createConsulHttp } from './http.js';
import { type ConsulRegistryOptions, resolveOptions } from './options.js';
import { byVersion, consulWatch } from './watch.js';

/**
 * A registry in Consul, through the local agent's HTTP API (plain HTTP, no client library). Endpoints used:
 * - `PUT /v1/agent/service/register`: one Consul service per node, with a TTL check
 *   (`TTL` = the registration's ttl, `DeregisterCriticalServiceAfter`) when a ttl is given;
 * - `PUT /v1/agent/check/pass/:check_id`: the heartbeat when a node is registered again unchanged;
 * - `PUT /v1/agent/service/deregister/:service_id`: deregister;
 * - `GET /v1/health/service/:service?passing=true`: lookups see only nodes passing their checks, so a node
 *   not re-registered within its ttl is gone at once (Consul removes it later, after `DeregisterCriticalServiceAfter`);
 * - `GET /v1/catalog/services`: the service names, for `listServices()` and watching every service;
 * - both GETs as blocking queries (`index`, `wait`) for `watch()`.
 * @example const registry = consulRegistry({ address: 'http://127.0.0.1:8500' }); await registry.register(record, { ttl: 10_000 })
 */
export function consulRegistry(options: ConsulRegistryOptions = {}): Registry {
  const o = resolveOptions(options);
  const http = createConsulHttp(o);
  const closing = new AbortController();
  // what this instance registered: an unchanged re-registration only passes the TTL check
  const registered = new Map<string, string>();

  async function register(s: ServiceRecord, ttl: number | undefined): Promise<void> {
    await Promise.all(
      s.nodes.map(async (node) => {
        const def = toServiceDef(s, node, ttl, o.deregisterCriticalAfter);
        const body = JSON.stringify(def);
        if (registered.get(def.ID) === body && def.Check) {
          try {
            await http.call('PUT', `/v1/agent/check/pass/${encodeURIComponent(checkId(def.ID))}`);
            return;
          } catch {
            // the agent forgot the check (restarted, or reaped the node): register it again below,
            // which also reports a clear error when the agent cannot be reached at all
          }
        }
        await http.call('PUT', '/v1/agent/service/register', { body: def });
        registered.set(def.ID, body);
      }),
    );
  }

  async function lookup(name: string): Promise<ServiceRecord[]> {
    if (closing.signal.aborted) throw serviceUnavailable('consul registry is closed');
    const res = await http.call('GET', `/v1/health/service/${encodeURIComponent(name)}`, { query: { passing: 'true' } });
    const entries = Array.isArray(res.body) ? (res.body as HealthEntry[]) : [];
    return byVersion(entries.map(fromHealthEntry).filter((r) => r !== undefined));
  }

  return {
    name: 'consul',
    async register(s: ServiceRecord, ro: RegisterOptions = {}) {
      validate(s);
      if (closing.signal.aborted) return;
      await register(s, ro.ttl ?? o.defaultTtl);
    },
    async deregister(s: ServiceRecord) {
      validate(s);
      if (closing.signal.aborted) return;
      const nodes = s.nodes.length > 0 ? s.nodes : ((await lookup(s.name)).find((r) => r.version === s.version)?.nodes ?? []);
      await Promise.all(
        nodes.map(async (n) => {
          const id = serviceId(s.name, s.version, n.id);
          registered.delete(id);
          await http.call('PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`).catch((e: unknown) => {
            if (!isMicroError(e) || e.code !== 404) throw e; // already gone is fine
          });
        }),
      );
    },
    getService: lookup,
    async listServices() {
      if (closing.signal.aborted) throw serviceUnavailable('consul registry is closed');
      const res = await http.call('GET', '/v1/catalog/services');
      const names = Object.keys(typeof res.body === 'object' && res.body !== null ? res.body : {});
      return (await Promise.all(names.map(lookup))).flat();
    },
    watch(wo: WatchOptions = {}) {
      return consulWatch(http, o, wo, closing.signal);
    },
    async close() {
      closing.abort();
      http.close();
    },
  };
}
