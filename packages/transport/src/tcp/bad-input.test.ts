import { randomBytes } from 'node:crypto';
import type { Socket as NetSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedBy, type LogLine, rawConnect, recordingLogger } from '../../test/tcp-helpers.js';
import { msg, text } from '../testing/index.js';
import type { Listener, Socket, Transport } from '../transport.js';
import { tcpTransport } from './index.js';
import { PREFACE } from './wire.js';

describe('tcp transport: bad input', () => {
  const lines: LogLine[] = [];
  const opts = { handshakeTimeout: 300, frameTimeout: 300, logger: recordingLogger(lines) };
  let t: Transport;
  let l: Listener;
  let good: Socket;
  const raws: NetSocket[] = [];

  beforeAll(async () => {
    t = tcpTransport(opts);
    l = await t.listen('127.0.0.1:0');
    l.accept((s) => {
      void (async () => {
        for await (const m of s) await s.send(m).catch(() => undefined);
      })();
    });
    good = await t.dial(l.address);
  });
  afterAll(async () => {
    for (const r of raws) r.destroy();
    await good.close();
    await l.close();
  });

  /** The server still answers the well-behaved client. */
  async function stillServes(): Promise<void> {
    await good.send(msg(1, 'still there?'));
    expect(text(await good.recv())).toBe('still there?');
  }

  async function raw(): Promise<NetSocket> {
    const r = await rawConnect(l.address);
    raws.push(r);
    return r;
  }

  function logged(fragment: string): boolean {
    return lines.some((x) => String(x.obj.err ?? '').includes(fragment));
  }

  const cases: Array<[string, (r: NetSocket) => void, string]> = [
    ['random bytes', (r) => r.write(Buffer.concat([Buffer.from('X'), randomBytes(4096)])), 'does not speak the tsmicro protocol'],
    ['an HTTP request', (r) => r.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'bad preface byte 0x47 at 0'],
    ['a wrong version', (r) => r.write(Buffer.from('TSMICRO\x07', 'latin1')), 'version 7'],
    ['a 2 GiB frame header', (r) => r.write(Buffer.concat([PREFACE, Buffer.from([0x80, 0, 0, 0, 0])])), '2147483648 bytes'],
    ['an empty frame', (r) => r.write(Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 0])])), 'empty frame'],
    ['an unknown frame type', (r) => r.write(Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 1, 9])])), 'unknown frame type 9'],
    ['a malformed header', (r) => r.write(Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 4, 0, 0, 1, 0xff])])), 'malformed frame'],
  ];
  for (const [name, send, fragment] of cases) {
    it(`closes a connection sending ${name}, logs why, and keeps serving`, async () => {
      const r = await raw();
      const closed = closedBy(r);
      send(r);
      const got = await closed;
      expect(got.subarray(0, PREFACE.length)).toEqual(PREFACE);
      expect(logged(fragment)).toBe(true);
      await stillServes();
    });
  }

  it('drops a truncated frame when the peer closes, and keeps serving', async () => {
    const r = await raw();
    const closed = closedBy(r);
    r.write(Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 100, 0, 0])]));
    r.end();
    await closed;
    await stillServes();
  });

  it('closes a slow-drip preface after handshakeTimeout', async () => {
    const started = Date.now();
    const r = await raw();
    const closed = closedBy(r);
    let i = 0;
    const drip = setInterval(() => r.writable && r.write(PREFACE.subarray(i, ++i)), 100);
    await closed;
    clearInterval(drip);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(logged('did not complete the preface within 300 ms')).toBe(true);
    await stillServes();
  });

  it('closes a frame that stalls for frameTimeout (progress timeout)', async () => {
    const r = await raw();
    const closed = closedBy(r);
    r.write(Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 50, 0])]));
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(logged('left a frame unfinished and sent nothing for 300 ms')).toBe(true);
    await stillServes();
  });

  it('keeps a slow frame that makes progress, longer than frameTimeout', async () => {
    const r = await raw();
    let closed = false;
    r.on('close', () => {
      closed = true;
    });
    // A 6 KiB frame at 512 bytes every 50 ms (10 KiB/s, over minReceiveRate): it takes 600 ms, twice frameTimeout.
    const body = Buffer.alloc(6000, 0x78);
    const head = Buffer.from([0, 0, 0, 0, 0, 0, 1, 0x41, 0x61, 0x41, 0x62]);
    head.writeUInt32BE(head.length - 4 + body.length, 0);
    const frame = Buffer.concat([head, body]);
    const got = new Promise<Buffer>((resolve) => {
      let all = Buffer.alloc(0);
      r.on('data', (d: Buffer) => {
        all = Buffer.concat([all, d]);
        if (all.length >= PREFACE.length + frame.length) resolve(all);
      });
    });
    r.write(PREFACE);
    for (let at = 0; at < frame.length; at += 512) {
      r.write(frame.subarray(at, at + 512));
      await new Promise((res) => setTimeout(res, 50));
    }
    expect((await got).includes(frame.subarray(7))).toBe(true);
    expect(closed).toBe(false);
    expect(logged('minReceiveRate')).toBe(false);
    await stillServes();
  });

  it('closes a frame dripping slower than minReceiveRate (slowloris)', async () => {
    const r = await raw();
    const closed = closedBy(r);
    r.write(Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 50, 0])]));
    const drip = setInterval(() => r.writable && r.write(Buffer.from([0])), 50);
    await closed;
    clearInterval(drip);
    expect(logged('bytes (minReceiveRate 1024 bytes/s) for 300 ms')).toBe(true);
    await stillServes();
  });

  it('closes a connection that sends nothing after handshakeTimeout', async () => {
    const r = await raw();
    await closedBy(r);
    await stillServes();
  });
});
