import { randomBytes } from 'node:crypto';
import { createServer as netServer } from 'node:net';
import { createClient } from '@tsmicro/client';
import { silentLogger } from '@tsmicro/core';
import { microErrorOf } from '@tsmicro/core/testing';
import { memoryRegistry } from '@tsmicro/registry';
import { bidiStream, clientStream, serverStream } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { createService } from '../src/index.js';
import { greeter, pair } from './fixtures.js';

// mDNS of the default registry stays on loopback (shared with other test runs: names are unique).
process.env.TSMICRO_MDNS_INTERFACE ??= '127.0.0.1';

/** A loopback port nothing listens on. */
async function deadAddress(): Promise<string> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return `127.0.0.1:${port}`;
}

describe('clear errors', () => {
  it.each([
    ['Greeter.count', 'server-stream'],
    ['Greeter.sum', 'client-stream'],
    ['Greeter.echo', 'bidi-stream'],
  ])('a unary call to %s says it is a %s endpoint and what to call instead; the handler never runs', async (endpoint, kind) => {
    let ran = 0;
    const streams = {
      count: serverStream(async function* () {
        ran++;
        yield 1;
      }),
      sum: clientStream(async () => {
        ran++;
        return 1;
      }),
      echo: bidiStream(async function* () {
        ran++;
        yield 1;
      }),
    };
    const p = await pair({ transport: tcpTransport(), handlers: { Greeter: streams } });
    try {
      const e = await microErrorOf(p.client.call('greeter', endpoint, { n: 2 }, { timeout: 2000 }));
      expect(e.code).toBe(400);
      expect(e.detail).toContain(`${endpoint} is a ${kind} endpoint`);
      expect(e.detail).toContain('client.stream(');
      expect(ran).toBe(0);
    } finally {
      await p.close();
    }
  });

  it.each([
    [
      'a circular object',
      () => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      },
    ],
    ['a BigInt', () => ({ n: 1n })],
  ])('a request that cannot be encoded (%s) is a 400 MicroError from the client', async (_, make) => {
    const p = await pair({});
    try {
      const e = await microErrorOf(p.client.call('greeter', 'Greeter.hello', make()));
      expect(e.code).toBe(400);
      expect(e.detail).toMatch(/cannot encode the request of greeter\.Greeter\.hello as application\/json/);
      const s = await p.client.stream('greeter', 'Greeter.sum');
      const se = await microErrorOf(s.send(make() as unknown as number));
      expect(se.code).toBe(400);
      await s.close();
    } finally {
      await p.close();
    }
  });

  it('says "cannot connect to X" once', async () => {
    const p = await pair({ transport: tcpTransport() });
    try {
      const address = await deadAddress();
      const e = await microErrorOf(p.client.call('greeter', 'Greeter.hello', { name: 'x' }, { address }));
      expect(e.code).toBe(503);
      expect(e.detail.split(`cannot connect to ${address}`).length - 1).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('a call through a stopped service says it stopped, not that its registry closed', async () => {
    const name = `stopped-${randomBytes(4).toString('hex')}`;
    const svc = createService({ name, logger: silentLogger() });
    svc.handle('Greeter', greeter);
    await svc.start();
    expect(await svc.client.call(name, 'Greeter.hello', { name: 'a' })).toMatchObject({ msg: 'hello a' });
    await svc.stop();
    const e = await microErrorOf(svc.client.call(name, 'Greeter.hello', { name: 'b' }));
    expect(e.code).toBe(503);
    expect(e.detail).toContain(`service ${name} was stopped`);
    expect(e.detail).not.toContain('registry closed');
    const viaProxy = await microErrorOf(svc.client.service<{ Greeter: typeof greeter }>(name).Greeter.hello({ name: 'c' }));
    expect(viaProxy.detail).toContain('was stopped');
    await expect(svc.client.publish('x.y', {})).rejects.toMatchObject({ code: 503, detail: expect.stringContaining('was stopped') });
  });

  it('a service given its own registry serves again after stop and start', async () => {
    const registry = memoryRegistry();
    const svc = createService({ name: 'again', logger: silentLogger(), registry });
    svc.handle('Greeter', greeter);
    try {
      await svc.start();
      await svc.stop();
      await expect(svc.client.call('again', 'Greeter.hello', { name: 'x' })).rejects.toMatchObject({ code: 503 });
      await svc.start();
      expect(await svc.client.call('again', 'Greeter.hello', { name: 'y' })).toMatchObject({ msg: 'hello y' });
    } finally {
      await svc.stop();
      await registry.close();
    }
  });
  it('when every node is unreachable, says how many are known, why each tried one failed, and when registrations expire', async () => {
    const registry = memoryRegistry();
    const name = 'ghosts';
    const dead = await Promise.all([deadAddress(), deadAddress(), deadAddress()]);
    await registry.register({
      name,
      version: '1',
      metadata: {},
      endpoints: [],
      nodes: dead.map((address, i) => ({ id: `ghost-${i}`, address, metadata: { register_ttl: '30000' } })),
    });
    const client = createClient({ transport: tcpTransport(), registry, retries: 2 });
    try {
      const e = await microErrorOf(client.call(name, 'G.hello', {}));
      expect(e.code).toBe(503);
      expect(e.detail).toContain('no node of ghosts could be reached (3 nodes known, 3 tried)');
      for (const [i, address] of dead.entries()) expect(e.detail).toContain(`ghost-${i} at ${address}: cannot connect to ${address}`);
      expect(e.detail).toContain('at most 30000 ms after its last heartbeat');
    } finally {
      await client.close();
      await registry.close();
    }
  });

  it('a server registers its register_ttl with its node, which the unreachable error then names', async () => {
    const p = await pair({ transport: tcpTransport(), server: { registerTtl: 12_000 } });
    try {
      const [rec] = await p.registry.getService('greeter');
      expect(rec?.nodes[0]?.metadata.register_ttl).toBe('12000');
    } finally {
      await p.close();
    }
  });
});
