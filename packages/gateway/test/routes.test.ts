import { trackHandles, waitFor } from '@tsmicro/registry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../src/index.js';
import { type Bed, post, testBed } from './fixture.js';

interface Described {
  name: string;
  nodes: { id: string }[];
  endpoints: { name: string; kind: string; requestSchema?: { properties?: object } }[];
}

/** Reads server-sent events until `done` says stop, then cancels the stream. */
async function readEvents(r: Response, done: (events: { event: string; data: string }[]) => boolean) {
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; data: string }[] = [];
  let buf = '';
  while (!done(events)) {
    const { value, done: end } = await reader.read();
    if (end) break;
    buf += value;
    for (let i = buf.indexOf('\n\n'); i !== -1; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (block.startsWith(':')) continue;
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      events.push({ event, data: block.replace(/^event: .*\n/m, '').replace(/^data: /gm, '') });
    }
  }
  await reader.cancel();
  return events;
}

describe('gateway registry, health, events, CORS and rate-limit routes', () => {
  let bed: Bed;
  let url: string;
  beforeAll(async () => {
    bed = await testBed();
    await bed.startGreeter();
    ({ url } = await bed.gateway({ publish: true, cors: { origin: ['https://app.example'] } }));
  });
  afterAll(() => bed?.close());

  it('GET /api/services and /api/services/{name} describe nodes, endpoints, kinds and schemas; Debug is hidden', async () => {
    const all = (await (await fetch(`${url}/api/services`)).json()) as Described[];
    const mine = all.find((s) => s.name === bed.name)!;
    expect(mine.nodes).toHaveLength(1);
    const byName = Object.fromEntries(mine.endpoints.map((e) => [e.name, e]));
    expect(byName['Greeter.countdown']?.kind).toBe('server-stream');
    expect(byName['Greeter.hello']?.requestSchema?.properties).toHaveProperty('name');
    expect(byName['Debug.stats']).toBeUndefined();
    const one = (await (await fetch(`${url}/api/services/${bed.name}`)).json()) as Described[];
    expect(one.map((s) => s.name)).toEqual([bed.name]);
    expect((await fetch(`${url}/api/services/nobody-${bed.name}`)).status).toBe(404);
  });

  it('GET /api/watch sends the service list, then a new one when a node joins', async () => {
    const r = await fetch(`${url}/api/watch`);
    const nodes = (e: { data: string }) => (JSON.parse(e.data) as Described[]).find((s) => s.name === bed.name)?.nodes.length;
    let started = false;
    const events = await readEvents(r, (evs) => {
      if (evs.length === 1 && !started) {
        started = true;
        void bed.startGreeter();
      }
      return evs.some((e) => nodes(e) === 2);
    });
    expect(events[0]?.event).toBe('services');
    expect(nodes(events[0]!)).toBe(1);
  });

  it('GET /healthz and /readyz answer; node probes return Debug.health and Debug.stats when allowed', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'ready' });
    const { url: open } = await bed.gateway({ allow: ['*', '*/Debug.*'] });
    const [svc] = (await (await fetch(`${open}/api/services/${bed.name}`)).json()) as Described[];
    // Exposed probes are listed, which is how the dashboard knows it may ask.
    expect(svc!.endpoints.map((e) => e.name)).toEqual(expect.arrayContaining(['Debug.health', 'Debug.stats']));
    // The watch test above started a second node: the call lands on one of them.
    await post(`${open}/${bed.name}/Greeter.hello`, { name: 'x' });
    const stats = await Promise.all(
      svc!.nodes.map(
        async (n) => (await (await fetch(`${open}/api/services/${bed.name}/nodes/${n.id}/stats`)).json()) as { endpoints: object },
      ),
    );
    expect(stats.some((s) => 'Greeter.hello' in s.endpoints)).toBe(true);
    const node = svc!.nodes[0]!.id;
    expect(await (await fetch(`${open}/api/services/${bed.name}/nodes/${node}/health`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${open}/api/services/${bed.name}/nodes/${node}/env`)).status).toBe(400);
  });

  it('node probes obey allow/deny: by default Debug.* is not exposed and the probe is a 404', async () => {
    const [svc] = (await (await fetch(`${url}/api/services/${bed.name}`)).json()) as Described[];
    const node = svc!.nodes[0]!.id;
    const probe = (u: string, what: string) => fetch(`${u}/api/services/${bed.name}/nodes/${node}/${what}`);
    for (const what of ['health', 'stats']) {
      const r = await probe(url, what);
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({
        id: 'gateway',
        code: 404,
        detail: expect.stringContaining('is exposed by this gateway'),
      });
    }
    // Only what is named: health allowed, stats denied.
    const { url: some } = await bed.gateway({ allow: ['*', `${bed.name}/Debug.health`], deny: ['*/Debug.stats'] });
    expect((await probe(some, 'health')).status).toBe(200);
    expect((await probe(some, 'stats')).status).toBe(404);
  });

  it('POST /events/{topic} publishes; GET /events/{topic} tails it live as server-sent events', async () => {
    const topic = `${bed.name}.greeted`;
    const tail = await fetch(`${url}/events/${topic}`);
    const events = readEvents(tail, (evs) => evs.some((e) => e.event === 'message'));
    await new Promise((r) => setTimeout(r, 300)); // the http broker's subscriber registers first
    const pub = await post(`${url}/events/${topic}`, { who: 'Ada' });
    expect(pub.status).toBe(202);
    const got = (await events).find((e) => e.event === 'message')!;
    expect(JSON.parse(got.data)).toMatchObject({ topic, payload: { who: 'Ada' } });
    expect((await post(`${url}/events/${topic}`, '{nope')).status).toBe(400);
    expect((await post(`${url}/events/a.*`, {})).status).toBe(400);
  });

  it('publishing is off by default', async () => {
    const { url: plain } = await bed.gateway();
    expect((await post(`${plain}/events/${bed.name}.x`, {})).status).toBe(404);
    // A topic shaped like an endpoint is still no call to a service named 'events'.
    const shaped = await post(`${plain}/events/Orders.created`, {});
    expect(shaped.status).toBe(404);
    expect(((await shaped.json()) as { detail: string }).detail).toMatch(/publishing through this gateway is off/);
    expect(() => createGateway({ registry: bed.registry, publish: true })).toThrow(/needs a broker/);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const pre = (origin: string) =>
      fetch(`${url}/${bed.name}/Greeter.hello`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const ok = await pre('https://app.example');
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect((await pre('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rate-limits per client with 429 and Retry-After, but never the health probes', async () => {
    const { url: limited } = await bed.gateway({ rateLimit: { rps: 1, burst: 2 } });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await post(`${limited}/${bed.name}/Greeter.hello`, { name: 'x' })).status);
    expect(codes).toEqual([200, 200, 429, 429]);
    const r = await post(`${limited}/${bed.name}/Greeter.hello`, { name: 'x' });
    expect(r.headers.get('retry-after')).toBe('1');
    expect(await r.json()).toMatchObject({ code: 429, id: 'gateway' });
    expect((await fetch(`${limited}/healthz`)).status).toBe(200);
  });

  it('keys the rate limit on X-Forwarded-For only when the peer is a trusted proxy (trustProxy); ignores it by default', async () => {
    // One request per client per 10 s: a second from the same client is refused, one from another is not.
    const limit = { rps: 0.1, burst: 1 };
    const from = (u: string, xff: string) => post(`${u}/${bed.name}/Greeter.hello`, { name: 'x' }, { 'x-forwarded-for': xff });
    const { url: direct } = await bed.gateway({ rateLimit: limit });
    expect((await from(direct, '203.0.113.1')).status).toBe(200);
    // Same socket peer: a header anyone can send picks no new bucket.
    expect((await from(direct, '203.0.113.2')).status).toBe(429);
    for (const trustProxy of [1, ['127.0.0.1'], ['127.0.0.0/8']]) {
      const { url: behind } = await bed.gateway({ rateLimit: limit, trustProxy });
      expect((await from(behind, '203.0.113.1')).status).toBe(200);
      expect((await from(behind, '203.0.113.2')).status).toBe(200);
      expect((await from(behind, '203.0.113.1')).status).toBe(429);
      // Entries a caller writes itself sit left of the trusted proxy's: they change nothing.
      expect((await from(behind, '198.51.100.9, 203.0.113.2')).status).toBe(429);
    }
    // The peer (loopback) is not in the list: its header is not believed.
    const { url: elsewhere } = await bed.gateway({ rateLimit: limit, trustProxy: ['10.0.0.0/8'] });
    expect((await from(elsewhere, '203.0.113.1')).status).toBe(200);
    expect((await from(elsewhere, '203.0.113.2')).status).toBe(429);
  });

  it('close() ends open event streams and tails, and leaves no timer or socket of its own behind', async () => {
    // The tail's broker is the caller's (its listener and heartbeat stay): check the tail ends, then
    // count handles on a gateway without one.
    const { gw: withTail, url: t } = await bed.gateway({ publish: true });
    const tail = (await fetch(`${t}/events/${bed.name}.closing`)).text();
    await withTail.close();
    expect(await tail).toContain('event: subscribed');

    const handles = trackHandles();
    const { gw, url: u } = await bed.gateway();
    expect((await post(`${u}/${bed.name}/Greeter.hello`, { name: 'x' })).status).toBe(200);
    const watching = (await fetch(`${u}/api/watch`)).text();
    await gw.close();
    expect(await watching).toContain('event: services');
    await expect(fetch(`${u}/healthz`)).rejects.toThrow();
    handles.freeze();
    await waitFor(() => handles.alive().length === 0, { timeout: 5000 }).catch(() => {});
    handles.stop();
    expect(handles.alive()).toEqual([]);
  });
});
