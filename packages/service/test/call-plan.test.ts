import * as root from '@tsmicro/client';
import { createClient } from '@tsmicro/client';
import * as resilience from '@tsmicro/client/resilience';
import { type Context, silentLogger } from '@tsmicro/core';
import { microErrorOf } from '@tsmicro/core/testing';
import { memoryRegistry, type ServiceRecord } from '@tsmicro/registry';
import { createServer } from '@tsmicro/server';
import { memoryTransport, tcpTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';

const record = (address: string, kind: string): ServiceRecord => ({
  name: 'kinds',
  version: '1',
  metadata: {},
  endpoints: [{ name: 'K.get', metadata: { kind } }],
  nodes: [{ id: 'kinds-1', address, metadata: {} }],
});

describe('call plan', () => {
  it('checks the endpoint kind against the current registry snapshot: a record changed from stream to unary is called', async () => {
    const transport = memoryTransport();
    // A server registered nowhere: the test writes the registry's record by hand.
    const server = createServer({ name: 'kinds', transport, logger: silentLogger() });
    let ran = 0;
    server.handle('K', {
      get: async (_req: unknown, _ctx: Context) => {
        ran++;
        return { ok: true };
      },
    });
    await server.start();
    const registry = memoryRegistry();
    const client = createClient({ transport, registry });
    try {
      await registry.register(record(server.address, 'server-stream'));
      // Twice: the second call is refused from what the first learnt of this snapshot.
      for (let i = 0; i < 2; i++) {
        const e = await microErrorOf(client.call('kinds', 'K.get', {}));
        expect(e).toMatchObject({
          name: 'MicroError',
          code: 400,
          detail: expect.stringContaining('K.get is a server-stream endpoint, not unary'),
        });
      }
      expect(ran).toBe(0);
      await registry.deregister(record(server.address, 'server-stream'));
      await registry.register(record(server.address, 'unary'));
      // The selector's cache follows the registry's watch: wait for the new snapshot to reach it.
      const deadline = Date.now() + 5000;
      let answer: unknown;
      while (answer === undefined && Date.now() < deadline) {
        answer = await client.call('kinds', 'K.get', {}).catch(() => undefined);
        if (answer === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(answer).toEqual({ ok: true });
      expect(ran).toBeGreaterThan(0);
    } finally {
      await client.close();
      await server.stop();
      await registry.close();
    }
  });

  it('by name on the hot path, a call whose nodes all stopped still explains every node tried, the first attempt included', async () => {
    const transport = tcpTransport();
    const servers = [
      createServer({ name: 'kinds', transport, logger: silentLogger() }),
      createServer({ name: 'kinds', transport, logger: silentLogger() }),
    ];
    for (const s of servers) s.handle('K', { get: async () => ({ ok: true }) });
    await Promise.all(servers.map((s) => s.start()));
    const registry = memoryRegistry();
    const nodes = servers.map((s, i) => ({ id: `kinds-${i}`, address: s.address, metadata: {} }));
    await registry.register({ name: 'kinds', version: '1', metadata: {}, endpoints: [], nodes });
    const client = createClient({ transport, registry, retries: 1 });
    try {
      // Warm: both nodes pooled, the registry's nodes cached (the synchronous selection).
      for (let i = 0; i < 4; i++) expect(await client.call('kinds', 'K.get', {})).toEqual({ ok: true });
      // Stopped, but still registered (the record was written by hand): every attempt fails to connect.
      await Promise.all(servers.map((s) => s.stop()));
      const e = await microErrorOf(client.call('kinds', 'K.get', {}));
      expect(e).toMatchObject({ name: 'MicroError', code: 503 });
      expect(e.detail).toContain('no node of kinds could be reached (2 nodes known, 2 tried)');
      for (const n of nodes) expect(e.detail).toContain(`${n.id} at ${n.address}: `);
    } finally {
      await client.close();
      await registry.close();
    }
  });

  it('resilience is on its own subpath; the root exports no resilience internals or sibling helpers', () => {
    const moved = ['backoff', 'bulkhead', 'circuitBreaker', 'hedge', 'isRetryable', 'manualClock', 'retryBudget', 'systemClock'];
    for (const name of moved) {
      expect(Object.keys(root)).not.toContain(name);
      expect(Object.keys(resilience)).toContain(name);
    }
    expect(Object.keys(root)).not.toContain('idempotentMatcher');
  });
});
