import type { ChildProcess } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { createClient } from '@tsmicro/client';
import type { MicroError } from '@tsmicro/core';
import { tcpTransport } from '@tsmicro/transport';
import { createMux, H, type Mux, type MuxCompression } from '@tsmicro/transport/rpc';
import { afterAll, describe, expect, it } from 'vitest';
import { countingRelay, records, serverProcess } from './compression-fixtures.js';

describe('compression against a server process', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  async function setup(server: MuxCompression, client: MuxCompression) {
    const p = await serverProcess(server);
    children.push(p.child);
    const relay = await countingRelay(p.address);
    const c = createClient({ transport: tcpTransport(), compression: client });
    const opts = { address: relay.address, timeout: 20_000 };
    return {
      c,
      relay,
      opts,
      async close() {
        await c.close();
        await relay.close();
      },
    };
  }

  it('compresses all four call shapes both ways when both sides accept, and reads them back', async () => {
    const run = async (encoding: 'identity' | 'gzip' | 'br') => {
      const s = await setup({ encoding }, { encoding });
      try {
        expect(await s.c.call('z', 'Z.records', {}, s.opts)).toEqual(records);
        expect(await s.c.call('z', 'Z.size', records, s.opts)).toBe(JSON.stringify(records).length);
        const many = await s.c.stream<unknown, unknown>('z', 'Z.many', s.opts);
        await many.send({});
        await many.closeSend();
        let got = 0;
        for await (const m of many) {
          expect(m).toEqual(records);
          got++;
        }
        expect(got).toBe(3);
        const count = await s.c.stream<unknown, number>('z', 'Z.count', s.opts);
        for (let i = 0; i < 3; i++) await count.send(records);
        await count.closeSend();
        for await (const n of count) expect(n).toBe(1500);
        const echo = await s.c.stream<unknown, unknown>('z', 'Z.echo', s.opts);
        await echo.send(records);
        await echo.closeSend();
        for await (const m of echo) expect(m).toEqual(records);
        return { up: s.relay.up(), down: s.relay.down() };
      } finally {
        await s.close();
      }
    };
    const plain = await run('identity');
    for (const enc of ['gzip', 'br'] as const) {
      const z = await run(enc);
      // The same calls, at least 3x fewer bytes each way.
      expect(z.up * 3).toBeLessThan(plain.up);
      expect(z.down * 3).toBeLessThan(plain.down);
    }
  }, 120_000);

  it('keeps the order of a stream mixing large bodies (decompressed off the event loop) and small ones', async () => {
    const big = Array.from({ length: 6 }, () => records).flat();
    const s = await setup({ encoding: 'gzip' }, { encoding: 'gzip' });
    try {
      // Until the server's first frame the client does not know what it accepts: one call learns it.
      expect(await s.c.call('z', 'Z.size', [1], s.opts)).toBe(3);
      const echo = await s.c.stream<unknown, unknown>('z', 'Z.echo', s.opts);
      const sent = [big, [1], big, [2], [3]];
      // Read while sending: each large message fills a whole flow-control window, so a caller that sent
      // everything before reading would wait for the server, which waits for the caller to read.
      const got: unknown[] = [];
      const reading = (async () => {
        for await (const m of echo) got.push(m);
      })();
      for (const m of sent) await echo.send(m);
      await echo.closeSend();
      await reading;
      expect(got).toEqual(sent);
      // The large bodies went compressed both ways (each about 400 KB of JSON).
      expect(s.relay.up()).toBeLessThan(JSON.stringify(big).length);
      expect(s.relay.down()).toBeLessThan(JSON.stringify(big).length);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('never sends an encoding to a peer that does not accept it (server without compression, then client)', async () => {
    const payload = JSON.stringify(records).length;
    const a = await setup({ accept: [] }, { encoding: 'br' });
    try {
      expect(await a.c.call('z', 'Z.size', records, a.opts)).toBe(payload);
      expect(await a.c.call('z', 'Z.size', records, { ...a.opts, compression: 'gzip' })).toBe(payload);
      // Both requests went as they are: the server said it accepts nothing.
      expect(a.relay.up()).toBeGreaterThan(2 * payload);
    } finally {
      await a.close();
    }
    const b = await setup({ encoding: 'gzip' }, { accept: [] });
    try {
      expect(await b.c.call('z', 'Z.records', {}, b.opts)).toEqual(records);
      expect(b.relay.down()).toBeGreaterThan(payload);
    } finally {
      await b.close();
    }
  }, 60_000);

  it('refuses a zip bomb with 413 and a bad encoding with 400, and the connection keeps serving', async () => {
    const p = await serverProcess({});
    children.push(p.child);
    const mux: Mux = createMux(await tcpTransport().dial(p.address));
    const call = (extra: Record<string, string>, body: Uint8Array) =>
      new Promise<Uint8Array | MicroError>((resolve) =>
        mux.call({ [H.service]: 'z', [H.endpoint]: 'Z.size', [H.contentType]: 'application/json', ...extra }, body, {
          resolved: resolve,
          failed: (e) => resolve(e),
        }),
      );
    try {
      // 50 MB of JSON whitespace gzips to about 50 KB; the server's limit is 4 MiB.
      const bomb = gzipSync(Buffer.concat([Buffer.from('['), Buffer.alloc(50_000_000, 0x20), Buffer.from('1]')]));
      const e413 = await call({ 'Micro-Encoding': 'gzip' }, bomb);
      expect((e413 as MicroError).code).toBe(413);
      expect((e413 as MicroError).detail).toContain('decompresses to more than maxMessageSize');
      const corrupt = await call({ 'Micro-Encoding': 'gzip' }, Buffer.from('not gzip at all'));
      expect((corrupt as MicroError).code).toBe(400);
      expect((corrupt as MicroError).detail).toContain('does not decode');
      const unknown = await call({ 'Micro-Encoding': 'lzma' }, Buffer.from('{}'));
      expect((unknown as MicroError).code).toBe(400);
      expect((unknown as MicroError).detail).toContain("unsupported Micro-Encoding 'lzma'");
      // Same connection, still serving.
      const ok = await call({}, Buffer.from('[1,2]'));
      expect(Buffer.from(ok as Uint8Array).toString()).toBe('5');
      expect(mux.isClosed).toBe(false);
    } finally {
      await mux.close();
    }
  }, 60_000);
});
