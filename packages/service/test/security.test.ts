import { connect, type Socket as NetSocket } from 'node:net';
import { type Context, mergeMetadata } from '@tsmicro/core';
import { tcpTransport } from '@tsmicro/transport';
import { createMux, H } from '@tsmicro/transport/rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pair } from './fixtures.js';

const DANGEROUS = ['__proto__', 'constructor', 'prototype'];

/** No Object.prototype (or anything else with properties) behind `o`: inherited lookups all miss. */
function prototypeFree(o: object): boolean {
  for (let p = Object.getPrototypeOf(o) as object | null; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.getOwnPropertyNames(p).length > 0) return false;
  }
  return true;
}
const cleanObjectProto = Object.getOwnPropertyNames(Object.prototype).sort();

function assertPrototypesClean(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(cleanObjectProto);
}

const put = (o: Record<string, string>, k: string, v: string) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** Metadata whose keys try to reach a prototype. */
function hostileMetadata(): Record<string, string> {
  const md: Record<string, string> = {};
  for (const k of DANGEROUS) put(md, k, `${k}-value`);
  md.polluted = 'yes';
  return md;
}

describe('security: prototype pollution end to end (metadata and bodies over tcp)', () => {
  const seen: Array<{ metadata: Record<string, string>; req: unknown }> = [];
  const handlers = {
    Probe: {
      async look(req: unknown, ctx: Context) {
        seen.push({ metadata: ctx.metadata, req });
        return { keys: Object.keys(ctx.metadata).sort(), proto: prototypeFree(ctx.metadata) ? 'free' : 'object' };
      },
    },
  };
  let p: Awaited<ReturnType<typeof pair>>;
  beforeAll(async () => {
    p = await pair({ transport: tcpTransport(), handlers });
  });
  afterAll(async () => {
    await p.close();
    assertPrototypesClean();
  });

  it('mergeMetadata keeps dangerous keys as plain keys of a prototype-free object', () => {
    const md = mergeMetadata(hostileMetadata(), { CONSTRUCTOR: 'upper' });
    expect(prototypeFree(md)).toBe(true);
    expect('toString' in md).toBe(false);
    expect(Object.getOwnPropertyDescriptor(md, '__proto__')?.value).toBe('__proto__-value');
    expect(md.constructor).toBe('upper');
    assertPrototypesClean();
  });

  it.each(['application/json', 'application/msgpack'])(
    'metadata and a hostile %s body through client.call leave every prototype clean',
    async (contentType) => {
      seen.length = 0;
      const body = JSON.parse('{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"polluted":2}}},"ok":1}') as unknown;
      const res = await p.client
        .call<{ keys: string[]; proto: string }>('greeter', 'Probe.look', body, { metadata: hostileMetadata(), contentType })
        .then(
          (r) => r,
          (e: unknown) => e,
        );
      assertPrototypesClean();
      if (contentType === 'application/msgpack') {
        // msgpack refuses a __proto__ key outright: the caller gets the 400, the handler never runs.
        expect(res).toMatchObject({ code: 400 });
        expect(seen).toHaveLength(0);
        return;
      }
      expect(seen).toHaveLength(1);
      const got = seen[0]!;
      expect(prototypeFree(got.metadata)).toBe(true);
      expect(got.metadata.polluted).toBe('yes');
      for (const k of ['constructor', 'prototype']) expect(got.metadata[k]).toBe(`${k}-value`);
      expect(Object.getPrototypeOf(got.req)).toBe(Object.prototype);
      expect(got.req).toEqual({ a: {}, ok: 1 });
    },
  );

  it('raw wire headers named __proto__/constructor/prototype arrive as plain metadata keys', async () => {
    seen.length = 0;
    const mux = createMux(await p.transport.dial(p.server.address));
    try {
      const header: Record<string, string> = { [H.endpoint]: 'Probe.look', [H.contentType]: 'application/json' };
      for (const [k, v] of Object.entries(hostileMetadata())) put(header, k, v);
      const { stream } = mux.open(header, { body: new TextEncoder().encode('{"x":1}') });
      const res = JSON.parse(Buffer.from((await stream.recv()) ?? []).toString()) as { keys: string[]; proto: string };
      expect(res).toEqual({ keys: ['__proto__', 'constructor', 'polluted', 'prototype'], proto: 'free' });
      const md = seen[0]!.metadata;
      expect(Object.getOwnPropertyDescriptor(md, '__proto__')?.value).toBe('__proto__-value');
      assertPrototypesClean();
    } finally {
      await mux.close();
    }
  });
});

/** A raw connection that resolves when the server closes it. */
async function rawConnect(address: string): Promise<{ sock: NetSocket; closed: Promise<void> }> {
  const i = address.lastIndexOf(':');
  const sock = connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
  sock.on('error', () => undefined);
  sock.on('data', () => undefined);
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  return { sock, closed };
}

const PREFACE = Buffer.from('TSMICRO\x02', 'latin1');

describe('security: slowloris and oversize frames under load', () => {
  const LIMIT = 64 * 1024;
  const SLOW = 50;
  const OVERSIZE = 20;
  const LOAD_MS = 3000;
  const CONCURRENCY = 8;

  it(`refuses ${SLOW} slow connections and ${OVERSIZE} oversize frames while a good client at c=${CONCURRENCY} sees no failure`, async () => {
    const transport = tcpTransport({ handshakeTimeout: 400, frameTimeout: 400, maxMessageSize: LIMIT });
    const p = await pair({ transport });
    const stats = { calls: 0, failures: [] as string[], slowClosed: 0, oversizeClosed: 0, oversizeSendRefused: 0 };
    const end = Date.now() + LOAD_MS;
    const timers = new Set<NodeJS.Timeout>();
    try {
      // Sustained slowloris: SLOW slots, each reconnecting as soon as the server cuts it off, alternating a
      // preface that never completes and a frame that never completes, one byte every 100 ms.
      const slowSlot = async (slot: number) => {
        for (let round = 0; Date.now() < end && round < 20; round++) {
          const { sock, closed } = await rawConnect(p.server.address);
          const bytes = (slot + round) % 2 === 0 ? PREFACE : Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 200, 0]), Buffer.alloc(195)]);
          let at = (slot + round) % 2 === 0 ? 0 : PREFACE.length + 5;
          if (at > 0) sock.write(bytes.subarray(0, at));
          const t = setInterval(() => {
            if (at < bytes.length && sock.writable) sock.write(bytes.subarray(at, ++at));
          }, 100);
          timers.add(t);
          await closed;
          clearInterval(t);
          timers.delete(t);
          stats.slowClosed++;
        }
      };
      // Oversize: OVERSIZE raw peers announcing frames over the limit, spread over the window, plus the same
      // number of oversize sends through the real client, refused locally with 413 before anything is written.
      const oversize = async () => {
        for (let i = 0; i < OVERSIZE; i++) {
          const { sock, closed } = await rawConnect(p.server.address);
          const head = Buffer.alloc(5);
          head.writeUInt32BE(i % 2 === 0 ? LIMIT + 2 : 0xffffffff, 0);
          sock.write(Buffer.concat([PREFACE, head, Buffer.alloc(1024)]));
          await closed;
          stats.oversizeClosed++;
          const big = await p.client.call('greeter', 'Greeter.hello', { name: 'x'.repeat(LIMIT) }).catch((e: unknown) => e);
          if ((big as { code?: number }).code === 413) stats.oversizeSendRefused++;
          else stats.failures.push(`oversize: ${String(big)} ${(big as { code?: number }).code}`);
          await new Promise((r) => setTimeout(r, LOAD_MS / OVERSIZE / 2));
        }
      };
      const good = async () => {
        while (Date.now() < end) {
          try {
            const r = await p.client.call<{ msg: string }>('greeter', 'Greeter.hello', { name: 'good' }, { timeout: 2000 });
            if (r.msg !== 'hello good') stats.failures.push(`wrong answer ${JSON.stringify(r)}`);
            stats.calls++;
          } catch (e) {
            stats.failures.push(String(e));
          }
        }
      };
      await Promise.all([...Array.from({ length: SLOW }, (_, i) => slowSlot(i)), oversize(), ...Array.from({ length: CONCURRENCY }, good)]);
    } finally {
      for (const t of timers) clearInterval(t);
      await p.close();
    }
    expect(stats.failures).toEqual([]);
    expect(stats.calls).toBeGreaterThan(100);
    expect(stats.slowClosed).toBeGreaterThanOrEqual(SLOW);
    expect(stats.oversizeClosed).toBe(OVERSIZE);
    expect(stats.oversizeSendRefused).toBe(OVERSIZE);
  });
});
