import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StandinProcess, spawnConsulStandin } from '../../test/consul-standin/process.js';
import { parseGoDuration } from '../../test/consul-standin/standin.js';
import { makeNode, makeRecord, nextMatching, runRegistryContract, uniqueName, waitFor } from '../testing/index.js';
import { consulRegistry } from './index.js';

const realAgent = process.env.CONSUL_HTTP_ADDR;
if (realAgent === undefined) {
  process.stderr.write(
    '\n[tsmicro tests] SKIPPING the consul real-agent suite: CONSUL_HTTP_ADDR is not set. Only the HTTP stand-in suite runs;' +
      ' to test against a real agent: consul agent -dev & CONSUL_HTTP_ADDR=http://127.0.0.1:8500 pnpm exec vitest run packages/registry/src/consul\n',
  );
}

describe.runIf(realAgent !== undefined)(`consulRegistry against the Consul agent at ${realAgent}`, () => {
  runRegistryContract({
    name: 'consul (real agent)',
    newRegistry: () => consulRegistry({ watchWait: 2000 }),
    ttlScale: 3,
    sharedBackend: true,
  });
});

describe('consulRegistry against a Consul HTTP stand-in (no Consul server can run here)', () => {
  // in a child process, so its TTL timers do not count as handles the registry left open
  let standin: StandinProcess;
  beforeAll(async () => {
    standin = await spawnConsulStandin();
  });
  afterAll(async () => {
    await standin?.stop();
  });
  const registry = (o: Parameters<typeof consulRegistry>[0] = {}) =>
    consulRegistry({ address: standin.address, deregisterCriticalAfter: 1000, watchWait: 2000, ...o });

  runRegistryContract({ name: 'consul stand-in', newRegistry: () => registry(), sharedBackend: true });

  it('watching every service follows the catalog (services appear and go)', async () => {
    const r = registry();
    try {
      const w = r.watch()[Symbol.asyncIterator]();
      const name = uniqueName('catalog');
      const rec = makeRecord(name, '2', [makeNode('n')]);
      await r.register(rec, { ttl: 10_000 });
      expect((await nextMatching(w, (e) => e.service.name === name && e.action === 'create')).service).toEqual(rec);
      await r.deregister(rec);
      await nextMatching(w, (e) => e.service.name === name && e.action === 'delete');
      await w.return?.();
    } finally {
      await r.close();
    }
  });

  it('a node whose TTL check went critical is hidden at once and deregistered after DeregisterCriticalServiceAfter', async () => {
    const r = registry({ deregisterCriticalAfter: 300 });
    try {
      const name = uniqueName('critical');
      await r.register(makeRecord(name, '1', [makeNode('n')]), { ttl: 200 });
      const catalog = async () => Object.keys((await (await fetch(`${standin.address}/v1/catalog/services`)).json()) as object);
      expect(await catalog()).toContain(name);
      await waitFor(async () => (await r.getService(name)).length === 0, { what: 'the node to stop passing' });
      await waitFor(async () => !(await catalog()).includes(name), { what: 'the node to be deregistered' });
    } finally {
      await r.close();
    }
  });

  it('registers again when the agent forgot the node (heartbeat after an agent restart)', async () => {
    const r = registry();
    try {
      const name = uniqueName('forgotten');
      const rec = makeRecord(name, '1', [makeNode('n')]);
      await r.register(rec, { ttl: 10_000 });
      // what an agent restart without state looks like: the service and its check are gone
      const id = encodeURIComponent(`${name}:1:n`);
      expect((await fetch(`${standin.address}/v1/agent/service/deregister/${id}`, { method: 'PUT' })).status).toBe(200);
      expect(await r.getService(name)).toEqual([]);
      await r.register(rec, { ttl: 10_000 });
      expect((await r.getService(name))[0]?.nodes.map((n) => n.id)).toEqual(['n']);
    } finally {
      await r.close();
    }
  });

  it('reads services registered by other Consul clients from their Consul fields', async () => {
    const r = registry();
    try {
      const name = uniqueName('foreign');
      const def = { ID: `${name}-1`, Name: name, Address: '127.0.0.1', Port: 9000, Meta: { version: '3' } };
      await fetch(`${standin.address}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify(def) });
      expect(await r.getService(name)).toEqual([
        {
          name,
          version: '3',
          metadata: {},
          endpoints: [],
          nodes: [{ id: `${name}-1`, address: '127.0.0.1:9000', metadata: { version: '3' } }],
        },
      ]);
      await fetch(`${standin.address}/v1/agent/service/deregister/${name}-1`, { method: 'PUT' });
    } finally {
      await r.close();
    }
  });
});

describe('consulRegistry without Consul', () => {
  it('fails within its timeout with a MicroError naming the address when nothing answers', async () => {
    const r = consulRegistry({ address: '127.0.0.1:1', timeout: 500 });
    try {
      await expect(r.getService('x')).rejects.toMatchObject({
        name: 'MicroError',
        code: 503,
        detail: expect.stringContaining('127.0.0.1:1'),
      });
      await expect(r.register(makeRecord('x', '1', [makeNode('a')]), { ttl: 1000 })).rejects.toMatchObject({ code: 503 });
    } finally {
      await r.close();
    }
  });

  it('parses Go durations as Consul writes them', () => {
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('10')).toBeUndefined();
  });
});
