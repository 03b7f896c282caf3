import { request } from 'node:http';
import { MicroError } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { httpBroker } from './index.js';

describe('http broker envelope', () => {
  it('round-trips any header string and a binary body', () => {
    const header = { 'x-ünï': 'värde ✓ \r\n', 'content-type': 'a/b' };
    const body = new Uint8Array([0, 255, 10, 13]);
    const out = decodeEnvelope(encodeEnvelope('a.b', { header, body }));
    expect(out.topic).toBe('a.b');
    expect({ ...out.message.header }).toEqual(header);
    expect([...out.message.body]).toEqual([...body]);
  });

  it.each([
    ['too short', new Uint8Array([0, 0])],
    ['overrunning length', new Uint8Array([0, 0, 0, 9, 123])],
    ['not JSON', new Uint8Array([0, 0, 0, 1, 0x7b])],
    ['no topic', new Uint8Array([0, 0, 0, 2, 0x7b, 0x7d])],
  ])('refuses %s with 400', (_, data) => {
    expect(() => decodeEnvelope(data)).toThrow(MicroError);
  });

  it('answers garbage on the wire with 4xx, never a crash', async () => {
    const registry = memoryRegistry();
    const b = httpBroker({ registry });
    await b.subscribe('g', () => {});
    const id = (await registry.getService('micro.http.broker'))[0]?.nodes[0]?.id ?? '';
    const [host, port] = b.address.split(':');
    const send = (method: string, path: string, body: Uint8Array) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host, port: Number(port), method, path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await send('POST', `/sub/${encodeURIComponent(id)}`, new Uint8Array([1, 2, 3]))).toBe(400);
    expect(await send('POST', `/sub/${encodeURIComponent(id)}`, encodeEnvelope('other', { header: {}, body: new Uint8Array(0) }))).toBe(
      400,
    );
    expect(await send('POST', '/sub/%E0%A4%A', new Uint8Array(0))).toBe(400);
    expect(await send('GET', '/', new Uint8Array(0))).toBe(404);
    expect(await send('POST', '/sub/nope', new Uint8Array(0))).toBe(404);
    await b.disconnect();
    await registry.close();
  });
});
