import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closedBy, type LogLine, rawConnect, recordingLogger } from '../../test/tcp-helpers.js';
import { expectMicroError, msg, text } from '../testing/index.js';
import type { Listener, Socket } from '../transport.js';
import { tcpTransport } from './index.js';
import { OVERSIZE_HEADER } from './oversize.js';
import { PREFACE } from './wire.js';

describe('tcp transport: limits', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function pair(serverOpts = {}, clientOpts = {}): Promise<{ c: Socket; s: Socket; l: Listener }> {
    const l = await tcpTransport(serverOpts).listen('127.0.0.1:0');
    cleanups.push(() => l.close());
    const accepted = new Promise<Socket>((r) => l.accept(r));
    const c = await tcpTransport(clientOpts).dial(l.address);
    cleanups.push(() => c.close());
    return { c, s: await accepted, l };
  }

  it('rejects an oversized send with 413, writes nothing, and the socket keeps working', async () => {
    const { c, s } = await pair({}, { maxMessageSize: 1024 });
    const e = await expectMicroError(c.send({ header: {}, body: new Uint8Array(2000) }), 413);
    expect(e.detail).toContain('maxMessageSize 1024');
    await expectMicroError(c.send({ header: { big: 'x'.repeat(1100) }, body: new Uint8Array(0) }), 413);
    await c.send(msg(1, 'small'));
    const m = await s.recv();
    expect(text(m)).toBe('small');
  });

  it('round-trips a message of exactly maxMessageSize and large bodies split over many chunks', async () => {
    const max = 3 * 1024 * 1024;
    const { c, s } = await pair({ maxMessageSize: max }, { maxMessageSize: max });
    const header = { k: 'v' };
    const exact = new Uint8Array(max - 2 - 1 - 1 - 1 - 1).fill(7);
    await c.send({ header, body: exact });
    const sizes = [0, 1, 8191, 8192, 8193, 65_536, 200_000];
    for (const n of sizes) await c.send({ header: { n: String(n) }, body: new Uint8Array(n).fill(n % 251) });
    const first = await s.recv();
    expect(first.body.byteLength).toBe(exact.byteLength);
    expect(first.body.every((b) => b === 7)).toBe(true);
    for (const n of sizes) {
      const m = await s.recv();
      expect(m.header.n).toBe(String(n));
      expect(m.body.byteLength).toBe(n);
      expect(m.body.every((b) => b === n % 251)).toBe(true);
    }
  });

  it('refuses a message over the limit without buffering it: its header arrives flagged Micro-Oversize, the body is skipped, the connection stays up', async () => {
    const { c, s } = await pair({ maxMessageSize: 1024 }, { maxMessageSize: 1 << 20 });
    await c.send({ header: { a: 'b' }, body: new Uint8Array(4096) });
    await c.send(msg(1));
    const refused = await s.recv();
    // The size counted is the header block (2 + 2 + 2 bytes) plus the body, as maxMessageSize counts it.
    expect(refused.header).toEqual({ a: 'b', [OVERSIZE_HEADER]: String(4096 + 6) });
    expect(refused.body.byteLength).toBe(0);
    expect(text(await s.recv())).toBe('m1');
  });

  it('closes a connection whose peer sends a frame over 64 times the limit, before buffering it', async () => {
    const lines: LogLine[] = [];
    const { c, s } = await pair({ maxMessageSize: 1024, logger: recordingLogger(lines) }, { maxMessageSize: 1 << 20 });
    await c.send({ header: {}, body: new Uint8Array(65 * 1024) });
    const err = await s.closed;
    expect(err?.message).toContain('over maxMessageSize 1024');
    await c.closed;
    await expectMicroError(s.recv(), 503);
    expect(lines.some((x) => String(x.obj.err).includes('over maxMessageSize'))).toBe(true);
  });

  it('closes promptly while it has stopped reading because the app is behind', async () => {
    const { c, s } = await pair({ highWaterMessages: 4, closeTimeout: 5000 });
    let sent = 0;
    const flooding = (async () => {
      for (let i = 0; i < 5000; i++) {
        await c.send(msg(i, 'y'.repeat(4096)));
        sent++;
      }
    })().catch(() => undefined);
    await until(async () => sent > 100);
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await c.closed;
    await flooding;
  });

  it('refuses connections over maxConnections', async () => {
    const t = tcpTransport({ maxConnections: 2 });
    const l = await t.listen('127.0.0.1:0');
    cleanups.push(() => l.close());
    l.accept(() => undefined);
    const a = await t.dial(l.address);
    const b = await t.dial(l.address);
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const e = await expectMicroError(t.dial(l.address), 503);
    expect(e.detail).toContain(l.address);
    await b.close();
    await until(async () => {
      const d = await t.dial(l.address).catch(() => undefined);
      if (d) cleanups.push(() => d.close());
      return d !== undefined;
    });
  });

  it('fails a dial to a peer speaking another version with a version error', async () => {
    const server: Server = createServer((c) => c.resume().end(Buffer.from('TSMICRO\x03', 'latin1')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    const e = await expectMicroError(tcpTransport().dial(`127.0.0.1:${port}`), 400);
    expect(e.detail).toContain('version 3');
    expect(e.detail).toContain(`127.0.0.1:${port}`);
  });

  it('refuses a version 1 peer clearly, dialing it and dialed by it', async () => {
    const v1 = Buffer.from('TSMICRO\x01', 'latin1');
    const server: Server = createServer((c) => c.resume().end(v1));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    const e = await expectMicroError(tcpTransport().dial(`127.0.0.1:${port}`), 400);
    expect(e.detail).toContain('peer speaks tsmicro protocol version 1, this side speaks version 2');
    expect(e.detail).toContain('same tsmicro major version on both ends');

    // An old client dialing us: it reads our preface (version 2) and we close it with the same reason.
    const lines: LogLine[] = [];
    const l = await tcpTransport({ logger: recordingLogger(lines) }).listen('127.0.0.1:0');
    cleanups.push(() => l.close());
    const r = await rawConnect(l.address);
    r.write(v1);
    const got = await closedBy(r);
    expect(got.subarray(0, 8).toString('latin1')).toBe('TSMICRO\x02');
    expect(lines.some((x) => String(x.obj.err).includes('version 1 sends each message as one frame'))).toBe(true);
  });

  it('fails a dial to something that is not tsmicro', async () => {
    const server: Server = createServer((c) => c.resume().end('SSH-2.0-OpenSSH_9.6\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    const e = await expectMicroError(tcpTransport().dial(`127.0.0.1:${port}`), 400);
    expect(e.detail).toContain('does not speak the tsmicro protocol');
  });

  it('answers a raw peer: preface first, then frames', async () => {
    const l = await tcpTransport().listen('127.0.0.1:0');
    cleanups.push(() => l.close());
    l.accept((s) => void s.send({ header: { a: 'b' }, body: new Uint8Array([1, 2]) }).then(() => s.close()));
    const r = await rawConnect(l.address);
    r.write(PREFACE);
    const got = await closedBy(r);
    // preface; a connection window grant of 8 MiB - 64 KiB (u32 length 5, type 5, u32 0x7f0000);
    // then u32 length 9, type 0, count 1, 'a' as short literal, 'b' as short literal, body 1 2
    const grant = [0, 0, 0, 5, 5, 0, 0x7f, 0, 0];
    expect([...got]).toEqual([...PREFACE, ...grant, 0, 0, 0, 9, 0, 0, 1, 0x41, 0x61, 0x41, 0x62, 1, 2]);
  });
});

async function until(fn: () => Promise<boolean>, withinMs = 5000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('tcp transport: binding', () => {
  it('refuses a taken tcp address with 409', async () => {
    const t = tcpTransport();
    const l = await t.listen('127.0.0.1:0');
    const e = await expectMicroError(t.listen(l.address), 409);
    expect(e.detail).toContain(l.address);
    await l.close();
  });

  it('reuses a stale unix socket file but never removes a file that is not a socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsmicro-stale-'));
    try {
      const stale = join(dir, 'stale.sock');
      execFileSync('node', ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`]);
      expect(existsSync(stale)).toBe(true);
      const l = await tcpTransport().listen(`unix:${stale}`);
      await l.close();
      const plain = join(dir, 'plain.txt');
      writeFileSync(plain, 'keep me');
      await expectMicroError(tcpTransport().listen(`unix:${plain}`), 409);
      expect(readFileSync(plain, 'utf8')).toBe('keep me');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
