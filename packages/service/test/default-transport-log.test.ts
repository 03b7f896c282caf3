import { connect, type Socket as NetSocket } from 'node:net';
import { memoryBroker } from '@tsmicro/broker';
import { type LogLine, recordingLogger } from '@tsmicro/core/testing';
import { memoryRegistry } from '@tsmicro/registry';
import { describe, expect, it } from 'vitest';
import { createService } from '../src/index.js';
import { greeter } from './fixtures.js';

async function raw(address: string): Promise<{ s: NetSocket; preface: Promise<Buffer>; closed: Promise<void> }> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const s = connect({ host, port });
  s.on('error', () => undefined);
  await new Promise<void>((r) => s.once('connect', r));
  // The server speaks first: its preface (magic and version) is what a well-behaved peer sends back.
  const preface = new Promise<Buffer>((r) => s.once('data', (b: Buffer) => r(b)));
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  return { s, preface, closed };
}

describe('a service with the default transport', () => {
  it('logs bad input on its port through its own logger: malformed frames, oversize, slowloris', { timeout: 30_000 }, async () => {
    const lines: LogLine[] = [];
    const registry = memoryRegistry();
    // Every default but discovery and pub/sub (not under test): tcp on 127.0.0.1 with its default timeouts.
    const svc = createService({ name: 'logged', registry, broker: memoryBroker(), logger: recordingLogger(lines) });
    svc.handle('Greeter', greeter);
    await svc.start();
    const logged = (fragment: string) => lines.some((l) => l.level === 'warn' && String(l.obj.err ?? '').includes(fragment));
    const warnings = () => lines.filter((l) => l.level === 'warn').length;
    try {
      const http = await raw(svc.server.address);
      http.s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await http.closed;
      expect(logged('bad preface byte 0x47')).toBe(true);

      // The frame layout is docs/protocol.md's; whatever the version, these bytes after the preface are refused and logged.
      let before = warnings();
      const malformed = await raw(svc.server.address);
      malformed.s.write(Buffer.concat([await malformed.preface, Buffer.from([0, 0, 0, 4, 0, 0, 1, 0xff])]));
      await malformed.closed;
      expect(warnings()).toBeGreaterThan(before);

      before = warnings();
      const oversize = await raw(svc.server.address);
      // a length prefix of 0x7f000000 bytes: far over the 4 MiB default
      oversize.s.write(Buffer.concat([await oversize.preface, Buffer.from([0x7f, 0, 0, 0, 0])]));
      await oversize.closed;
      expect(warnings()).toBeGreaterThan(before);
      expect(lines.some((l) => /\d{9,} bytes/.test(String(l.obj.err ?? '')))).toBe(true);

      // Slowloris: one byte of the preface, then silence, until the default 10 s handshake timeout.
      const slow = await raw(svc.server.address);
      slow.s.write((await slow.preface).subarray(0, 1));
      await slow.closed;
      expect(logged('did not complete the preface within 10000 ms')).toBe(true);

      // and the service still serves
      expect(await svc.client.call('logged', 'Greeter.hello', { name: 'ok' })).toMatchObject({ msg: 'hello ok' });
    } finally {
      await svc.stop();
      await registry.close();
    }
  });
});
