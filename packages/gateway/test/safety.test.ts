import { connect } from 'node:net';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { signJwt } from '@tsmicro/wrappers/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../src/index.js';
import { type Bed, JWT_KEY, post, testBed } from './fixture.js';

describe('gateway limits and safety', () => {
  let bed: Bed;
  let url: string;
  let secureName: string;
  beforeAll(async () => {
    bed = await testBed();
    secureName = `${bed.name}-secure`;
    await Promise.all([bed.startGreeter(), bed.startGreeter({ secure: true, name: secureName })]);
    ({ url } = await bed.gateway({ maxBodyBytes: 4096, headersTimeoutMs: 500, requestTimeoutMs: 800 }));
  });
  afterAll(() => bed?.close());

  it('passes authorization through so jwtAuth on the service decides, and other headers only when allow-listed', async () => {
    const none = await post(`${url}/${secureName}/Greeter.hello`, { name: 'Ada' });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ id: secureName, code: 401 });
    const forged = await post(
      `${url}/${secureName}/Greeter.hello`,
      { name: 'Ada' },
      { authorization: `Bearer ${await signJwt({ sub: 'x' }, 'wrong-key')}` },
    );
    expect(forged.status).toBe(401);
    const token = await signJwt({ sub: 'ada', exp: Math.floor(Date.now() / 1000) + 60 }, JWT_KEY);
    const ok = await post(`${url}/${secureName}/Greeter.hello`, { name: 'Ada' }, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    const echo = await post(
      `${url}/${bed.name}/Greeter.echo`,
      {},
      { cookie: 'session=1', 'x-custom': 'y', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    );
    const md = ((await echo.json()) as { metadata: Record<string, string> }).metadata;
    expect(md.traceparent).toBeDefined();
    expect(md.cookie).toBeUndefined();
    expect(md['x-custom']).toBeUndefined();
  });

  it("hands the caller's address to the service as x-client-address; a caller cannot set it", async () => {
    const echoed = async (u: string, headers: Record<string, string>, path = 'Greeter.echo') => {
      const r = await post(`${u}/${bed.name}/${path}`, {}, headers);
      expect(r.status).toBe(200);
      return ((await r.json()) as { metadata: Record<string, string> }).metadata['x-client-address'];
    };
    expect(await echoed(url, {})).toBe('127.0.0.1');
    // Neither the header itself nor X-Forwarded-For moves it without trustProxy.
    expect(await echoed(url, { 'x-client-address': '6.6.6.6', 'x-forwarded-for': '203.0.113.5' })).toBe('127.0.0.1');
    const { url: behind } = await bed.gateway({ trustProxy: 1, metadataHeaders: ['authorization', 'x-custom'] });
    expect(await echoed(behind, { 'x-forwarded-for': '198.51.100.1, 203.0.113.5', 'x-client-address': '6.6.6.6' })).toBe('203.0.113.5');
    const { url: listed } = await bed.gateway({ trustProxy: ['127.0.0.0/8'] });
    expect(await echoed(listed, { 'x-forwarded-for': '203.0.113.6' })).toBe('203.0.113.6');
    // Streams carry it too.
    const stream = await post(`${behind}/${bed.name}/Greeter.who`, {}, { 'x-forwarded-for': '203.0.113.8' });
    expect((await stream.text()).trim()).toBe('"203.0.113.8"');
    expect(() => createGateway({ registry: bed.registry, metadataHeaders: ['X-Client-Address'] })).toThrow(/sets it from the connection/);
  });

  it('refuses a body over maxBodyBytes with 413, declared or streamed, and a zip bomb once it inflates past the limit', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(5000) });
    const declared = await post(`${url}/${bed.name}/Greeter.hello`, big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ id: 'gateway', code: 413 });
    const chunked = await fetch(`${url}/${bed.name}/Greeter.hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // 2 MiB (gzip) and 16 MiB (br) of spaces, both under 4 KiB on the wire.
    for (const [enc, bomb] of [
      ['gzip', gzipSync(Buffer.alloc(2 * 1024 * 1024, 32))],
      ['br', brotliCompressSync(Buffer.alloc(16 * 1024 * 1024, 32), { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })],
    ] as const) {
      expect(bomb.byteLength).toBeLessThan(4096);
      const r = await post(`${url}/${bed.name}/Greeter.hello`, bomb, { 'content-encoding': enc });
      expect(r.status).toBe(413);
      expect(((await r.json()) as { detail: string }).detail).toMatch(/once decompressed/);
    }
  });

  it('accepts gzip, deflate and br request bodies, and refuses unknown or corrupt encodings with a 400', async () => {
    const body = Buffer.from(JSON.stringify({ name: 'Zip' }));
    for (const [enc, data] of [
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
      ['br', brotliCompressSync(body)],
    ] as const) {
      const r = await post(`${url}/${bed.name}/Greeter.hello`, data, { 'content-encoding': enc });
      expect(await r.json()).toMatchObject({ msg: 'Hello Zip' });
    }
    expect((await post(`${url}/${bed.name}/Greeter.hello`, body, { 'content-encoding': 'zstd' })).status).toBe(400);
    expect((await post(`${url}/${bed.name}/Greeter.hello`, body, { 'content-encoding': 'gzip' })).status).toBe(400);
  });

  it('answers malformed input with a 400 naming the problem, never a crash', async () => {
    const notJson = await post(`${url}/${bed.name}/Greeter.hello`, '{"name":');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { detail: string }).detail).toMatch(/JSON/);
    const form = await post(`${url}/${bed.name}/Greeter.hello`, 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(400);
    expect(((await form.json()) as { detail: string }).detail).toMatch(/Content-Type/);
    const badPath = await post(`${url}/${bed.name}/hello`, {});
    expect(badPath.status).toBe(400);
    const get = await fetch(`${url}/${bed.name}/Greeter.hello`);
    expect(get.status).toBe(404);
  });

  it('never lets a body or header reach a prototype', async () => {
    const r = await post(
      `${url}/${bed.name}/Greeter.echo`,
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"a":1}',
      {
        __proto__: 'x',
      } as Record<string, string>,
    );
    expect(((await r.json()) as { req: unknown }).req).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('hides Debug.* unless allowed', async () => {
    expect((await post(`${url}/${bed.name}/Debug.stats`, {})).status).toBe(404);
    const { url: open } = await bed.gateway({ allow: ['*', `${bed.name}/Debug.health`] });
    expect(await (await post(`${open}/${bed.name}/Debug.health`, {})).json()).toMatchObject({ status: 'ok' });
    expect((await post(`${open}/${bed.name}/Debug.stats`, {})).status).toBe(404);
  });

  it('cuts a client that trickles its request past the timeouts', async () => {
    const { port, hostname } = new URL(url);
    const closed = await new Promise<{ ms: number; data: string }>((resolve) => {
      const t0 = Date.now();
      let data = '';
      const s = connect(Number(port), hostname, () => s.write(`POST /${bed.name}/Greeter.hello HTTP/1.1\r\nhost: x\r\n`));
      s.on('data', (d) => (data += d));
      s.on('close', () => resolve({ ms: Date.now() - t0, data }));
      s.on('error', () => {});
    });
    expect(closed.ms).toBeLessThan(5000);
    expect(closed.data).toMatch(/^HTTP\/1.1 408/);
  });
});
