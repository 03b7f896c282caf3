import { type CallWrapper, type Client, createClient } from '@tsmicro/client';
import { defaultCodecs } from '@tsmicro/codec';
import { tcpTransport } from '@tsmicro/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayCodec } from '../src/index.js';
import { type Bed, post, testBed } from './fixture.js';

/** A call wrapper that notes what each reply reached the client's caller as: bytes (passed through) or a parsed value. */
function replyKinds(seen: string[]): CallWrapper {
  return (next) => async (req, o) => {
    const reply = await next(req, o);
    seen.push(reply instanceof Uint8Array ? 'bytes' : typeof reply);
    return reply;
  };
}

const lines = async (r: Response) =>
  (await r.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('createGateway({ client }) with a ready client the caller shares (mDNS on loopback)', () => {
  let bed: Bed;
  const clients: Client[] = [];
  const sharedClient = (o: { passThrough: boolean; seen: string[] }) => {
    const c = createClient({
      registry: bed.registry,
      broker: bed.broker,
      transport: tcpTransport(),
      ...(o.passThrough && { codecs: [...defaultCodecs, gatewayCodec] }),
      wrappers: { call: [replyKinds(o.seen)] },
    });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    bed = await testBed();
    await bed.startGreeter();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await bed?.close();
  });

  it('with gatewayCodec among its codecs: JSON bytes pass through, its own calls still get values, close() leaves it open', async () => {
    const seen: string[] = [];
    const client = sharedClient({ passThrough: true, seen });
    const { gw, url } = await bed.gateway({ client });
    const r = await post(`${url}/${bed.name}/Greeter.hello`, { name: 'Ada' }, { 'x-request-id': 'shared-1' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe('shared-1');
    expect(await r.json()).toEqual({ msg: 'Hello Ada', node: bed.name });
    expect(seen).toEqual(['bytes']);
    // The owner's own calls on the same client keep the ordinary json codec.
    expect(await client.call(bed.name, 'Greeter.hello', { name: 'Bo' })).toEqual({ msg: 'Hello Bo', node: bed.name });
    expect(seen).toEqual(['bytes', 'object']);
    expect(await lines(await post(`${url}/${bed.name}/Greeter.countdown`, { from: 2 }))).toEqual([{ n: 2 }, { n: 1 }]);
    await gw.close();
    expect(await client.call(bed.name, 'Greeter.hello', { name: 'Cy' })).toEqual({ msg: 'Hello Cy', node: bed.name });
  });

  it('with ordinary codecs: the same answers (each message parsed and serialised once more), errors, streams and publish included', async () => {
    const seen: string[] = [];
    const { url } = await bed.gateway({ client: sharedClient({ passThrough: false, seen }), publish: true });
    const r = await post(`${url}/${bed.name}/Greeter.hello`, { name: 'Ada' });
    expect(await r.json()).toEqual({ msg: 'Hello Ada', node: bed.name });
    expect(seen).toEqual(['object']);
    const bad = await post(`${url}/${bed.name}/Greeter.hello`, { name: '' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ id: bed.name, code: 400 });
    const garbage = await post(`${url}/${bed.name}/Greeter.hello`, '{"name":');
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { detail: string }).detail).toMatch(/not valid JSON/);
    expect(await lines(await post(`${url}/${bed.name}/Greeter.countdown`, { from: 2 }))).toEqual([{ n: 2 }, { n: 1 }]);
    const total = await post(`${url}/${bed.name}/Greeter.total`, '{"n":1}\n{"n":41}\n', { 'content-type': 'application/x-ndjson' });
    expect(await total.json()).toEqual({ total: 42 });

    const topic = `${bed.name}.shared`;
    let received!: (v: unknown) => void;
    const got = new Promise<unknown>((resolve) => (received = resolve));
    const sub = await bed.broker.subscribe(topic, (e) => received(JSON.parse(new TextDecoder().decode(e.message.body))));
    expect((await post(`${url}/events/${topic}`, { order: 7 })).status).toBe(202);
    expect(await got).toEqual({ order: 7 });
    await sub.unsubscribe();
  });
});
