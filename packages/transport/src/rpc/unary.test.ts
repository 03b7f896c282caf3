import { badRequest, encodeError, type MicroError, serviceUnavailable } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { rawServerPeer } from '../testing/raw-peer.js';
import type { Message, Socket } from '../transport.js';
import { Frame, H } from './headers.js';
import type { Mux } from './mux.js';

const empty = new Uint8Array(0);

/** A client mux on one end, a raw socket playing the server on the other, over a real memory transport. */
async function rawServer(): Promise<{ client: Mux; server: Socket }> {
  const { mux: client, peer: server } = await rawServerPeer();
  return { client, server };
}

type Outcome = { body: Uint8Array } | { error: MicroError; sent: boolean };

/** Opens a unary call and returns its request as the server saw it, and the outcome the receiver got. */
function call(client: Mux, body = new Uint8Array([1])): { outcome: Promise<Outcome>; count: () => number } {
  let calls = 0;
  const outcome = new Promise<Outcome>((resolve) => {
    client.call({ [H.service]: 's', [H.endpoint]: 'E.m' }, body, {
      resolved: (b) => {
        calls++;
        resolve({ body: b });
      },
      failed: (error, sent) => {
        calls++;
        resolve({ error, sent });
      },
    });
  });
  return { outcome, count: () => calls };
}

const reply = (server: Socket, id: string, frame: string, body = empty, extra: Record<string, string> = {}) =>
  server.send({ header: { [H.id]: id, [H.frame]: frame, ...extra }, body });

describe('unary calls on a mux (Mux.call)', () => {
  it('sends one request frame carrying the body, and resolves with a last frame', async () => {
    const { client, server } = await rawServer();
    const { outcome, count } = call(client, new Uint8Array([7, 8]));
    const req: Message = await server.recv();
    expect(req.header).toMatchObject({ [H.frame]: Frame.request, [H.service]: 's', [H.endpoint]: 'E.m' });
    expect(req.header[H.stream]).toBeUndefined();
    expect([...req.body]).toEqual([7, 8]);
    await reply(server, req.header[H.id]!, Frame.last, new Uint8Array([9]));
    expect(await outcome).toEqual({ body: new Uint8Array([9]) });
    expect(client.size).toBe(0);
    expect(count()).toBe(1);
    await client.close();
  });

  it('accepts an answer split into data then end', async () => {
    const { client, server } = await rawServer();
    const { outcome } = call(client);
    const id = (await server.recv()).header[H.id]!;
    await reply(server, id, Frame.data, new Uint8Array([4]));
    await reply(server, id, Frame.window, empty, { [H.window]: '8' });
    await reply(server, id, Frame.end);
    expect(await outcome).toEqual({ body: new Uint8Array([4]) });
    await client.close();
  });

  it('fails with a 400 when the server ends without a message, and with its error on an error frame', async () => {
    const { client, server } = await rawServer();
    const a = call(client);
    const b = call(client);
    const idA = (await server.recv()).header[H.id]!;
    const idB = (await server.recv()).header[H.id]!;
    await reply(server, idA, Frame.end);
    await reply(server, idB, Frame.error, empty, { [H.error]: encodeError(badRequest('no such name', { id: 'srv' })) });
    const ra = (await a.outcome) as { error: MicroError; sent: boolean };
    expect(ra.error.code).toBe(400);
    expect(ra.error.detail).toContain('without a response message');
    const rb = (await b.outcome) as { error: MicroError; sent: boolean };
    expect(rb).toMatchObject({ sent: true, error: { code: 400, detail: 'no such name' } });
    await client.close();
  });

  it('cancels the call (and tells the server) when a second message arrives', async () => {
    const { client, server } = await rawServer();
    const { outcome, count } = call(client);
    const id = (await server.recv()).header[H.id]!;
    await reply(server, id, Frame.data, new Uint8Array([1]));
    await reply(server, id, Frame.data, new Uint8Array([2]));
    const r = (await outcome) as { error: MicroError };
    expect(r.error.detail).toContain('a second response message');
    const cancel = await server.recv();
    expect(cancel.header).toMatchObject({ [H.id]: id, [H.frame]: Frame.cancel });
    // A late frame of the finished call is dropped, never delivered twice.
    await reply(server, id, Frame.last, new Uint8Array([3]));
    await new Promise((r) => setTimeout(r, 10));
    expect(count()).toBe(1);
    await client.close();
  });

  it('fails at once, as not sent, on a closed connection', async () => {
    const { client } = await rawServer();
    await client.close();
    const { outcome } = call(client);
    expect(await outcome).toMatchObject({ sent: false, error: { code: 503 } });
  });

  it('fails every call in flight with a 502 (outcome unknown) when the connection drops', async () => {
    const { client, server } = await rawServer();
    const calls = [call(client), call(client)];
    await server.recv();
    await server.close();
    for (const c of calls) expect(await c.outcome).toMatchObject({ sent: true, error: { code: 502 } });
  });

  it('reports a server refusal (Micro-Refused) as not sent, and a plain error as sent', async () => {
    const { client, server } = await rawServer();
    const refused = call(client);
    const failed = call(client);
    const a = await server.recv();
    const b = await server.recv();
    const e = encodeError(serviceUnavailable('stopping'));
    await server.send({ header: { [H.id]: a.header[H.id]!, [H.frame]: Frame.error, [H.error]: e, [H.refused]: '1' }, body: empty });
    await server.send({ header: { [H.id]: b.header[H.id]!, [H.frame]: Frame.error, [H.error]: e }, body: empty });
    expect(await refused.outcome).toMatchObject({ sent: false, error: { code: 503 } });
    expect(await failed.outcome).toMatchObject({ sent: true, error: { code: 503 } });
    await client.close();
  });

  it('cancel() sends a cancel frame and reports the reason to the receiver', async () => {
    const { client, server } = await rawServer();
    let got: Outcome | undefined;
    const handle = client.call({ [H.service]: 's', [H.endpoint]: 'E.m' }, empty, {
      resolved: (body) => {
        got = { body };
      },
      failed: (error, sent) => {
        got = { error, sent };
      },
    });
    const id = (await server.recv()).header[H.id]!;
    handle.cancel(badRequest('caller gave up'));
    expect(got).toMatchObject({ error: { detail: 'caller gave up' } });
    expect((await server.recv()).header).toMatchObject({ [H.id]: id, [H.frame]: Frame.cancel });
    await client.close();
  });
});
