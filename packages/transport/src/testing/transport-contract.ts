import { isMicroError, MicroError } from '@tsmicro/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Listener, Message, Socket, Transport } from '../transport.js';
import { msg, stalls, text, until } from './helpers.js';

/** Options of {@link runTransportContract}. */
export interface TransportContractOptions {
  /** Suite name, e.g. `'memory'`. */
  name: string;
  /** A fresh transport per test. */
  newTransport: () => Transport;
  /** The address each test listens on, e.g. `'127.0.0.1:0'` (a function for unique unix paths). */
  listenAddress: string | (() => string);
  /** Messages a non-reading peer absorbs before send must block; the backpressure test sends this many at most. Default 20000. */
  backpressureLimit?: number;
  /** Starts something that accepts a dial but never completes it, to test dial timeouts. Default: timeout not tested. */
  unresponsive?: () => Promise<{ address: string; close(): Promise<void> }>;
}

/**
 * The behaviour every `Transport` owes, as a vitest suite. Run it from an implementation's test:
 * @example runTransportContract({ name: 'memory', newTransport: memoryTransport, listenAddress: '' })
 */
export function runTransportContract(o: TransportContractOptions): void {
  const addr = () => (typeof o.listenAddress === 'function' ? o.listenAddress() : o.listenAddress);

  describe(`transport contract: ${o.name}`, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    async function listen(t: Transport): Promise<Listener> {
      const l = await t.listen(addr());
      cleanups.push(() => l.close());
      return l;
    }

    /** A listener and a connected pair: the client socket and the server's accepted socket. */
    async function pair(t = o.newTransport(), l?: Listener): Promise<{ t: Transport; l: Listener; c: Socket; s: Socket }> {
      const lis = l ?? (await listen(t));
      const accepted = new Promise<Socket>((resolve) => lis.accept(resolve));
      const c = await t.dial(lis.address);
      cleanups.push(() => c.close());
      const s = await accepted;
      cleanups.push(() => s.close());
      return { t, l: lis, c, s };
    }

    it('round-trips a message with headers and body', async () => {
      const { c, s } = await pair();
      expect(c.remote).toBeTruthy();
      expect(c.local).toBeTruthy();
      await c.send(msg(1, 'héllo ✓', { 'Micro-Service': 'greeter', empty: '' }));
      const m = await s.recv();
      expect(m.header).toEqual({ 'Micro-Service': 'greeter', empty: '', seq: '1' });
      expect(text(m)).toBe('héllo ✓');
      await s.send({ header: {}, body: new Uint8Array(0) });
      const r = await c.recv();
      expect(r.header).toEqual({});
      expect(r.body.byteLength).toBe(0);
    });

    it('delivers 1000 messages in order', async () => {
      const { c, s } = await pair();
      const sending = (async () => {
        for (let i = 0; i < 1000; i++) await c.send(msg(i));
      })();
      for (let i = 0; i < 1000; i++) expect((await s.recv()).header.seq).toBe(String(i));
      await sending;
    });

    it('keeps order across sends that are not awaited one by one', async () => {
      const { c, s } = await pair();
      const sends = Array.from({ length: 1000 }, (_, i) => c.send(msg(i)));
      for (let i = 0; i < 1000; i++) expect((await s.recv()).header.seq).toBe(String(i));
      await Promise.all(sends);
    });

    it('carries traffic both ways at once', async () => {
      const { c, s } = await pair();
      const n = 200;
      const send = async (from: Socket) => {
        for (let i = 0; i < n; i++) await from.send(msg(i));
      };
      const read = async (at: Socket) => {
        const seen: string[] = [];
        for (let i = 0; i < n; i++) seen.push((await at.recv()).header.seq ?? '');
        return seen;
      };
      const [, , a, b] = await Promise.all([send(c), send(s), read(s), read(c)]);
      const want = Array.from({ length: n }, (_, i) => String(i));
      expect(a).toEqual(want);
      expect(b).toEqual(want);
    });

    it('serves many concurrent sockets', async () => {
      const t = o.newTransport();
      const l = await listen(t);
      l.accept((s) => {
        void (async () => {
          for await (const m of s) await s.send(m).catch(() => undefined);
        })();
      });
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, k) => {
          const c = await t.dial(l.address);
          cleanups.push(() => c.close());
          for (let i = 0; i < 20; i++) await c.send(msg(i, `c${k}-${i}`));
          const got: string[] = [];
          for (let i = 0; i < 20; i++) got.push(text(await c.recv()));
          return got.every((b, i) => b === `c${k}-${i}`);
        }),
      );
      expect(results.every(Boolean)).toBe(true);
    });

    for (const side of ['client', 'server'] as const) {
      it(`propagates close from the ${side}: the other side's iteration ends and closed settles`, async () => {
        const { c, s } = await pair();
        const [closer, other] = side === 'client' ? [c, s] : [s, c];
        await closer.send(msg(1));
        await closer.send(msg(2));
        const seen: Message[] = [];
        const iterating = (async () => {
          for await (const m of other) seen.push(m);
        })();
        await until(() => seen.length === 2);
        await closer.close();
        await iterating;
        expect(seen.map((m) => m.header.seq)).toEqual(['1', '2']);
        await expect(other.closed).resolves.toBeUndefined();
        await expect(closer.closed).resolves.toBeUndefined();
        await expectMicroError(other.recv(), 503);
        await expectMicroError(other.send(msg(3)), 503);
      });
    }

    it('rejects recv and send after close with a 503 MicroError; close is idempotent', async () => {
      const { c } = await pair();
      const waiting = expectMicroError(c.recv(), 503);
      await c.close();
      await c.close();
      await waiting;
      await expectMicroError(c.recv(), 503);
      await expectMicroError(c.send(msg(1)), 503);
      const it = c[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(true);
    });

    it('blocks a sender to a non-reading peer after a bound, and resumes when read', async () => {
      const { c, s } = await pair();
      const limit = o.backpressureLimit ?? 20_000;
      const body = 'x'.repeat(1024);
      let sent = 0;
      const sending = (async () => {
        for (let i = 0; i < limit; i++) {
          await c.send(msg(i, body));
          sent++;
        }
      })();
      const stalledAt = await stalls(() => sent);
      expect(stalledAt).toBeLessThan(limit);
      for (let i = 0; i < limit; i++) expect((await s.recv()).header.seq).toBe(String(i));
      await sending;
      expect(sent).toBe(limit);
    });

    it('closes accepted sockets when the listener closes', async () => {
      const t = o.newTransport();
      const { l, c, s } = await pair(t);
      await l.close();
      await Promise.all([c.closed, s.closed]);
      await expectMicroError(s.recv(), 503);
      const iterated: Message[] = [];
      for await (const m of c) iterated.push(m);
      expect(iterated).toEqual([]);
      await expectMicroError(t.dial(l.address), 503);
    });

    it('fails a dial to nothing with a 503 naming the address', async () => {
      const t = o.newTransport();
      const l = await t.listen(addr());
      const gone = l.address;
      await l.close();
      const e = await expectMicroError(t.dial(gone), 503);
      expect(e.detail).toContain(gone);
    });

    it('fails a dial whose signal is aborted', async () => {
      const t = o.newTransport();
      const l = await listen(t);
      const e = await expectMicroError(t.dial(l.address, { signal: AbortSignal.abort() }), 499);
      expect(e.detail).toContain(l.address);
    });

    it.runIf(o.unresponsive !== undefined)('fails a dial that does not complete within its timeout, and on abort', async () => {
      const u = await o.unresponsive!();
      cleanups.push(() => u.close());
      const t = o.newTransport();
      const e = await expectMicroError(t.dial(u.address, { timeout: 100 }), 408);
      expect(e.detail).toContain(u.address);
      const ac = new AbortController();
      const dialing = t.dial(u.address, { signal: ac.signal, timeout: 60_000 });
      setTimeout(() => ac.abort(), 20);
      await expectMicroError(dialing, 499);
    });
  });
}

/** Awaits a rejection and checks it is a MicroError with `code`. */
export async function expectMicroError(p: Promise<unknown>, code: number): Promise<MicroError> {
  const e: unknown = await p.then(
    () => new Error('expected a rejection, got a value'),
    (err: unknown) => err,
  );
  if (!isMicroError(e)) throw new Error(`expected a MicroError ${code}, got ${String(e)}`);
  expect(e.code, e.detail).toBe(code);
  return e instanceof MicroError ? e : new MicroError(e);
}
