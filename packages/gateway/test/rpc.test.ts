import { once } from 'node:events';
import { connect } from 'node:net';
import { waitFor } from '@tsmicro/registry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bed, post, testBed } from './fixture.js';

describe('gateway RPC routes against real greeter nodes (mDNS on loopback)', () => {
  let bed: Bed;
  let url: string;
  beforeAll(async () => {
    bed = await testBed();
    await bed.startGreeter();
    ({ url } = await bed.gateway());
  });
  afterAll(() => bed?.close());

  it('POST /{service}/{Handler.method} calls the service and answers its reply as JSON, echoing a request id', async () => {
    const r = await post(`${url}/${bed.name}/Greeter.hello`, { name: 'Ada' }, { 'x-request-id': 'req-42' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.headers.get('x-request-id')).toBe('req-42');
    expect(await r.json()).toEqual({ msg: 'Hello Ada', node: bed.name });
  });

  it('answers a unary call the same whether the registry cache is cold or warm: one response with Content-Length, no chunked encoding, kept alive', async () => {
    // A fresh gateway: its first call looks the service up (the fetch way), later ones find it cached
    // (answered on node's request and response). On the wire the answers must not differ.
    const { url: fresh } = await bed.gateway();
    const { port, hostname } = new URL(fresh);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    let data = '';
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
    });
    const body = '{"name":"Wire"}';
    const ask = async (path: string, payload: string) => {
      data = '';
      socket.write(
        `POST /${bed.name}/${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-request-id: wire-1\r\ncontent-length: ${payload.length}\r\n\r\n${payload}`,
      );
      await waitFor(() => {
        const end = data.indexOf('\r\n\r\n');
        const length = /\r\ncontent-length: (\d+)\r\n/i.exec(data.slice(0, end + 2));
        return end !== -1 && length !== null && data.length >= end + 4 + Number(length[1]);
      });
      // Header order and case may differ, and the date changes by the second; nothing else may.
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const [status, ...lines] = head.split('\r\n');
      const headers = lines.map((l) => l.toLowerCase()).filter((l) => !l.startsWith('date: '));
      return { status, headers: headers.sort(), body: rest.join('\r\n\r\n') };
    };
    const answers = [await ask('Greeter.hello', body), await ask('Greeter.hello', body), await ask('Greeter.hello', body)];
    expect(answers[0]).toEqual({
      status: 'HTTP/1.1 200 OK',
      headers: expect.arrayContaining(['connection: keep-alive', 'content-type: application/json', 'x-request-id: wire-1']),
      body: JSON.stringify({ msg: 'Hello Wire', node: bed.name }),
    });
    expect(answers[0]!.headers).toContain(`content-length: ${answers[0]!.body.length}`);
    expect(answers[0]!.headers.join()).not.toMatch(/transfer-encoding/);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // Errors too: a bad request to the same, now cached, endpoint, and a hidden one.
    const invalid = await ask('Greeter.hello', '{"name":""}');
    expect(invalid.status).toBe('HTTP/1.1 400 Bad Request');
    expect(invalid.headers).toContain(`content-length: ${invalid.body.length}`);
    expect(JSON.parse(invalid.body)).toMatchObject({ code: 400, id: bed.name });
    const hidden = await ask('Debug.stats', '{}');
    expect(hidden.status).toBe('HTTP/1.1 404 Not Found');
    // Non-ASCII replies arrive byte for byte (the answer leaves as one latin1 string with its headers).
    const name = 'Zoë ☃ 𝄞';
    for (let i = 0; i < 2; i++) {
      const r = await post(`${fresh}/${bed.name}/Greeter.hello`, { name });
      const bytes = new Uint8Array(await r.arrayBuffer());
      expect(Number(r.headers.get('content-length'))).toBe(bytes.byteLength);
      expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({ msg: `Hello ${name}`, node: bed.name });
    }
    socket.destroy();
  });

  it('makes up a request id when the caller sends none (or an unsafe one) and hands it to the service', async () => {
    const r = await post(`${url}/${bed.name}/Greeter.echo`, {}, { 'x-request-id': 'bad id\twith spaces' });
    const id = r.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await r.json()) as { metadata: Record<string, string> }).metadata['x-request-id']).toBe(id);
  });

  it('maps MicroErrors to their HTTP status with a {id, code, detail, status} body', async () => {
    const bad = await post(`${url}/${bed.name}/Greeter.hello`, { name: '' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ id: bed.name, code: 400, status: 'Bad Request' });
    const unauth = await post(`${url}/${bed.name}/Greeter.fail`, { code: 401 });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual({ id: bed.name, code: 401, detail: 'no entry', status: 'Unauthorized' });
    const crash = await post(`${url}/${bed.name}/Greeter.fail`, {});
    expect(crash.status).toBe(500);
    expect(await crash.json()).toMatchObject({ id: bed.name, code: 500 });
    const unknown = await post(`${url}/${bed.name}/Greeter.nope`, {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      id: 'gateway',
      code: 404,
      detail: `service '${bed.name}' has no endpoint 'Greeter.nope'`,
    });
    const noService = await post(`${url}/nobody-${bed.name}/Greeter.hello`, {});
    expect(noService.status).toBe(404);
  });

  it('turns x-timeout and grpc-timeout into the call deadline, capped by maxTimeoutMs', async () => {
    const slow = await post(`${url}/${bed.name}/Greeter.slow`, { ms: 2000 }, { 'x-timeout': '150' });
    expect(slow.status).toBe(408);
    const grpc = await post(`${url}/${bed.name}/Greeter.slow`, { ms: 2000 }, { 'grpc-timeout': '150m' });
    expect(grpc.status).toBe(408);
    const t0 = Date.now();
    const seen = (await (await post(`${url}/${bed.name}/Greeter.echo`, {}, { 'x-timeout': '99999999' })).json()) as { deadline: number };
    expect(seen.deadline - t0).toBeLessThanOrEqual(60_000 + 1000);
    const malformed = await post(`${url}/${bed.name}/Greeter.echo`, {}, { 'grpc-timeout': '10 seconds' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { detail: string }).detail).toMatch(/grpc-timeout/);
  });

  it('streams a server stream as NDJSON, one line per message as it comes, and an error as a last line', async () => {
    const r = await post(`${url}/${bed.name}/Greeter.countdown`, { from: 3 });
    expect(r.headers.get('content-type')).toBe('application/x-ndjson');
    expect(
      (await r.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
    const failing = await post(`${url}/${bed.name}/Greeter.countdown`, { from: 3, failAt: 2 });
    const lines = (await failing.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ n: 3 });
    expect(lines[1]).toMatchObject({ error: { code: 500, id: bed.name } });
  });

  it('streams as server-sent events when the caller accepts text/event-stream', async () => {
    const r = await post(`${url}/${bed.name}/Greeter.countdown`, { from: 2 }, { accept: 'text/event-stream' });
    expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await r.text()).toBe('data: {"n":2}\n\ndata: {"n":1}\n\nevent: end\ndata: {}\n\n');
  });

  it('sends NDJSON request lines to client and bidi streams', async () => {
    const lines = '{"n":1}\n{"n":2}\n\n{"n":39}\n';
    const total = await post(`${url}/${bed.name}/Greeter.total`, lines, { 'content-type': 'application/x-ndjson' });
    expect(await total.json()).toEqual({ total: 42 });
    const chat = await post(`${url}/${bed.name}/Greeter.chat`, '{"text":"a"}\n{"text":"b"}', { 'content-type': 'application/x-ndjson' });
    expect(await chat.text()).toBe(`{"reply":"you said 'a'"}\n{"reply":"you said 'b'"}\n`);
  });

  it('compresses a large reply for a caller that accepts br or gzip, and not a small one', async () => {
    const big = await post(`${url}/${bed.name}/Greeter.big`, { kib: 8 }, { 'accept-encoding': 'gzip' });
    // fetch decodes the body; the header says it travelled compressed.
    expect(big.headers.get('content-encoding')).toBe('gzip');
    expect(((await big.json()) as { text: string }).text).toHaveLength(8 * 1024);
    const br = await post(`${url}/${bed.name}/Greeter.big`, { kib: 8 }, { 'accept-encoding': 'br;q=1, gzip;q=0.5' });
    expect(br.headers.get('content-encoding')).toBe('br');
    const small = await post(`${url}/${bed.name}/Greeter.hello`, { name: 'x' }, { 'accept-encoding': 'gzip' });
    expect(small.headers.get('content-encoding')).toBeNull();
  });
});
