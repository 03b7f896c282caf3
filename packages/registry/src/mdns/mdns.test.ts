import makeMdns, { type ResponsePacket } from 'multicast-dns';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../registry.js';
import { ensureLoopbackMulticast, makeNode, makeRecord, nextMatching, runRegistryContract, uniqueName, waitFor } from '../testing/index.js';
import { mdnsRegistry } from './index.js';
import { resolveOptions } from './options.js';
import { announcementsOf, instanceName, nodeAnswers, SERVICE_TYPE, subtypeName } from './packets.js';

// a private port keeps these tests out of any real mDNS traffic (and of other suites using 5353)
const port = 40_000 + Math.floor(Math.random() * 20_000);
const newRegistry = () => mdnsRegistry({ interface: '127.0.0.1', port, discoveryTimeout: 50 });

beforeAll(async () => {
  const problem = await ensureLoopbackMulticast(port);
  if (problem) throw new Error(problem);
});

runRegistryContract({ name: 'mdns (loopback multicast)', newRegistry, sharedBackend: true });

describe('mdnsRegistry', () => {
  const opened: Registry[] = [];
  const open = () => {
    const r = newRegistry();
    opened.push(r);
    return r;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((r) => r.close()));
  });

  it('carries metadata larger than one TXT string (chunked), byte-exact with multi-byte characters', async () => {
    const [a, b] = [open(), open()];
    const name = uniqueName();
    const big = 'ü€𝄞-'.repeat(300); // multi-byte characters across chunk boundaries
    const rec = makeRecord(name, '1', [makeNode('big', { blob: big })], { desc: 'x'.repeat(1000) });
    await a.register(rec, { ttl: 10_000 });
    expect(await waitFor(async () => (await b.getService(name))[0])).toEqual(rec);
  });

  it('answers plain mDNS browsers with standard DNS-SD records', async () => {
    const r = open();
    const name = uniqueName();
    await r.register(makeRecord(name, '2.0', [{ id: 'n1', address: '127.0.0.1:4567', metadata: {} }]), { ttl: 10_000 });
    const browser = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0', port, reuseAddr: true });
    try {
      const instance = instanceName(name, '2.0', 'n1');
      const got = new Promise<ResponsePacket>((resolve) => {
        browser.on('response', (p) => {
          if ((p.answers ?? []).some((a) => a.type === 'PTR' && a.name === subtypeName(name))) resolve(p);
        });
      });
      browser.query([{ name: subtypeName(name), type: 'PTR' }]);
      const answers = (await got).answers ?? [];
      const find = (type: string, n?: string) => answers.find((a) => a.type === type && (n === undefined || a.name === n));
      const data = (a: ReturnType<typeof find>): unknown => (a && 'data' in a ? a.data : undefined);
      expect(data(find('PTR', SERVICE_TYPE))).toBe(instance);
      expect(data(find('SRV', instance))).toMatchObject({ port: 4567 });
      const txt = data(find('TXT', instance));
      const strings = (Array.isArray(txt) ? txt : []).map(String);
      expect(strings).toEqual(expect.arrayContaining([`name=${name}`, 'version=2.0', 'id=n1', 'address=127.0.0.1:4567']));
      expect(data(find('A'))).toBe('127.0.0.1');
    } finally {
      await new Promise<void>((resolve) => browser.destroy(() => resolve()));
    }
  });

  it('ignores malformed and forged tsmicro records', async () => {
    const r = open();
    const name = uniqueName();
    const w = r.watch({ service: name })[Symbol.asyncIterator]();
    const sender = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0', port, reuseAddr: true });
    try {
      const forged = Buffer.from(JSON.stringify({ n: name, v: '1', m: {}, e: [], node: { id: 'x', address: 'a:1', metadata: {} } }));
      await new Promise((resolve) =>
        sender.respond(
          [
            { name: `junk.${SERVICE_TYPE}`, type: 'TXT', ttl: 10, data: ['d0={not json', 'd5=gap'] },
            { name: `wrong-instance.${SERVICE_TYPE}`, type: 'TXT', ttl: 10, data: [Buffer.concat([Buffer.from('d0='), forged])] },
          ],
          resolve,
        ),
      );
      // then a valid registration: it must be the first (and only) event the watcher sees
      await r.register(makeRecord(name, '1', [makeNode('real')]), { ttl: 10_000 });
      const first = await nextMatching(w, () => true);
      expect(first.service.nodes.map((n) => n.id)).toEqual(['real']);
    } finally {
      await new Promise<void>((resolve) => sender.destroy(() => resolve()));
      await w.return?.();
    }
  });

  it('on a lookup miss, asks the network for that service (a peer that never announced is still found)', async () => {
    const r = open();
    const name = uniqueName();
    await r.getService(uniqueName()); // the startup discovery window is over
    // a quiet peer: it never announces and answers only a query for its own service's subtype
    const peer = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0', port, reuseAddr: true });
    const [announcement] = announcementsOf(makeRecord(name, '1', [makeNode('quiet')]), 10_000);
    peer.on('query', (q) => {
      if (announcement && (q.questions ?? []).some((question) => question.name === subtypeName(name)))
        peer.respond(nodeAnswers(announcement, 10_000));
    });
    try {
      expect((await r.getService(name)).map((s) => s.nodes[0]?.id)).toEqual(['quiet']);
    } finally {
      await new Promise<void>((resolve) => peer.destroy(() => resolve()));
    }
  });

  it('finds nodes registered before it started (startup query)', async () => {
    const a = open();
    const name = uniqueName();
    await a.register(makeRecord(name, '1', [makeNode('early')]), { ttl: 10_000 });
    const late = open();
    expect((await late.getService(name)).map((s) => s.nodes[0]?.id)).toEqual(['early']);
  });

  it('measures register() → watcher in another registry instance', async () => {
    const [a, b] = [open(), open()];
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const name = uniqueName('lat');
      const w = b.watch({ service: name })[Symbol.asyncIterator]();
      const t0 = performance.now();
      await a.register(makeRecord(name, '1', [makeNode('n')]), { ttl: 10_000 });
      await nextMatching(w, (e) => e.action === 'create');
      samples.push(performance.now() - t0);
      await w.return?.();
    }
    samples.sort((x, y) => x - y);
    process.stderr.write(`[mdns] in-process register→watch: p50 ${samples[10]?.toFixed(2)} ms, max ${samples[19]?.toFixed(2)} ms\n`);
    expect(samples).toHaveLength(20);
  });

  it('re-announces registrations without ttl itself; peers drop them within defaultTtl once it is gone', async () => {
    const defaultTtl = 300;
    const a = mdnsRegistry({ interface: '127.0.0.1', port, defaultTtl });
    opened.push(a);
    const b = open();
    const name = uniqueName();
    await a.register(makeRecord(name, '1', [makeNode('forever')]));
    await waitFor(async () => (await b.getService(name)).length === 1);
    await new Promise((r) => setTimeout(r, 3 * defaultTtl));
    expect((await b.getService(name)).length).toBe(1);
    expect((await a.getService(name)).length).toBe(1);
    await a.close();
    await waitFor(async () => (await b.getService(name)).length === 0, { timeout: defaultTtl + 1000 });
  });

  it('reads the interface from TSMICRO_MDNS_INTERFACE when the option is absent', () => {
    const before = process.env.TSMICRO_MDNS_INTERFACE;
    process.env.TSMICRO_MDNS_INTERFACE = '127.0.0.1';
    try {
      expect(resolveOptions({}).interface).toBe('127.0.0.1');
      expect(resolveOptions({}).loopbackOnly).toBe(true);
      expect(resolveOptions({ interface: '10.1.2.3' }).interface).toBe('10.1.2.3');
    } finally {
      if (before === undefined) delete process.env.TSMICRO_MDNS_INTERFACE;
      else process.env.TSMICRO_MDNS_INTERFACE = before;
    }
  });

  it('refuses a record too large for one datagram, naming the service', async () => {
    const r = open();
    const rec = makeRecord('huge', '1', [makeNode('a', { blob: 'x'.repeat(70_000) })]);
    await expect(r.register(rec)).rejects.toThrow(/huge is too large/);
  });

  it('rejects an impossible port with an error naming it', () => {
    expect(() => mdnsRegistry({ port: 70_000 })).toThrow(/port .*70000/);
  });
});
