import { microErrorOf as rejection } from '@tsmicro/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type BrokerContractOptions, Harness, msg, recorder, text } from './harness.js';
import { delay, waitFor } from './wait.js';

/**
 * The behaviour every `Broker` owes, as one vitest suite. Each implementation runs it in a few lines:
 * @example runBrokerContract({ name: 'memoryBroker', newBroker: () => memoryBroker(), capabilities: { shared: false, durable: true } })
 */
export function runBrokerContract(o: BrokerContractOptions): void {
  describe(`${o.name} (broker contract)`, () => {
    let h: Harness;
    afterEach(async () => {
      await h?.close();
    });
    const setup = () => {
      h = new Harness(o);
      return h;
    };
    const wait = (cond: () => boolean, what: string) => waitFor(cond, { timeout: h.timeout, what });

    it('delivers topic, header and body intact', async () => {
      const t = setup();
      const [pub, sub] = [await t.main(), await t.peer()];
      const r = recorder();
      await sub.subscribe(t.topic('rt'), r.handler);
      await t.settle();
      const body = new Uint8Array(300).map((_, i) => i % 256);
      await pub.publish(t.topic('rt'), {
        header: { 'x-id': '42', 'content-type': 'application/octet-stream', 'x-odd': 'a b;c=d:e' },
        body,
      });
      await pub.publish(t.topic('rt'), { header: {}, body: new Uint8Array(0) });
      await wait(() => r.got.length === 2, 'two messages');
      expect(r.got[0]?.topic).toBe(t.topic('rt'));
      expect(r.got[0]?.header).toMatchObject({ 'x-id': '42', 'content-type': 'application/octet-stream', 'x-odd': 'a b;c=d:e' });
      expect([...(r.got[0]?.body ?? [])]).toEqual([...body]);
      expect(r.got[1]?.body.length).toBe(0);
    });

    it('matches "*" to exactly one token and ">" to one or more trailing tokens', async () => {
      const t = setup();
      const [pub, sub] = [await t.main(), await t.peer()];
      const star = recorder();
      const tail = recorder();
      await sub.subscribe(t.topic('w.*.x'), star.handler);
      await sub.subscribe(t.topic('w.>'), tail.handler);
      await t.settle();
      for (const s of ['w.a.b.x', 'w.x', 'w', 'v.a.x', 'w.a.x', 'w.b.x', 'w.c', 'w.end']) await pub.publish(t.topic(s), msg(s));
      await wait(() => star.got.length >= 2 && tail.got.some((r) => text(r) === 'w.end'), 'wildcard deliveries');
      expect(star.got.map(text)).toEqual(['w.a.x', 'w.b.x']);
      expect(star.got.map((r) => r.topic)).toEqual([t.topic('w.a.x'), t.topic('w.b.x')]);
      expect(tail.got.map(text)).toEqual(['w.a.b.x', 'w.x', 'w.a.x', 'w.b.x', 'w.c', 'w.end']);
    });

    it('gives each message of a queue group to exactly one member and spreads them', async () => {
      const t = setup();
      const pub = await t.main();
      const members = [recorder(), recorder(), recorder()];
      for (const m of members) await (await t.peer()).subscribe(t.topic('q'), m.handler, { queue: 'workers' });
      await t.settle();
      const n = 30;
      for (let i = 0; i < n; i++) await pub.publish(t.topic('q'), msg(String(i)));
      const total = () => members.reduce((a, m) => a + m.got.length, 0);
      await wait(() => total() >= n, `${n} deliveries`);
      await delay(50); // a duplicate would show up now
      const all = members.flatMap((m) => m.got.map(text));
      expect(all.length).toBe(n);
      expect(new Set(all).size).toBe(n);
      expect(members.filter((m) => m.got.length > 0).length).toBeGreaterThanOrEqual(2);
    });

    it('fans out to every plain subscriber and to one member of each queue group', async () => {
      const t = setup();
      const pub = await t.main();
      const plain = [recorder(), recorder()];
      const groupA = [recorder(), recorder()];
      const groupB = [recorder(), recorder()];
      for (const p of plain) await (await t.peer()).subscribe(t.topic('mix'), p.handler);
      for (const m of groupA) await (await t.peer()).subscribe(t.topic('mix'), m.handler, { queue: 'a' });
      for (const m of groupB) await (await t.peer()).subscribe(t.topic('mix'), m.handler, { queue: 'b' });
      await t.settle();
      const n = 10;
      for (let i = 0; i < n; i++) await pub.publish(t.topic('mix'), msg(String(i)));
      const count = (rs: { got: unknown[] }[]) => rs.reduce((a, r) => a + r.got.length, 0);
      await wait(() => plain.every((p) => p.got.length >= n) && count(groupA) >= n && count(groupB) >= n, 'fan-out and groups');
      await delay(50);
      for (const p of plain) expect(p.got.map(text)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
      for (const g of [groupA, groupB]) {
        const all = g.flatMap((m) => m.got.map(text));
        expect(all.length).toBe(n);
        expect(new Set(all).size).toBe(n);
      }
    });

    it('lets a handler ack and nack by hand when autoAck is false', async () => {
      const t = setup();
      const [pub, sub] = [await t.main(), await t.peer()];
      const settled: string[] = [];
      const r = recorder(async (e) => {
        const even = Number(new TextDecoder().decode(e.message.body)) % 2 === 0;
        await (even ? e.ack() : e.nack());
        await e.ack(); // settling twice is harmless
        settled.push(even ? 'ack' : 'nack');
      });
      await sub.subscribe(t.topic('ack'), r.handler, { autoAck: false });
      await t.settle();
      for (let i = 0; i < 4; i++) await pub.publish(t.topic('ack'), msg(String(i)));
      await wait(() => settled.length >= 4, 'four settled messages');
      expect(settled.slice(0, 4)).toEqual(['ack', 'nack', 'ack', 'nack']);
    });

    it.runIf(o.capabilities?.durable)('redelivers a nacked message on a durable subscription', async () => {
      const t = setup();
      const [pub, sub] = [await t.main(), await t.peer()];
      let nacks = 0;
      const manual = recorder(async (e) => {
        if (nacks++ === 0) await e.nack();
        else await e.ack();
      });
      let throws = 0;
      const auto = recorder(() => {
        if (throws++ === 0) throw new Error('first attempt fails');
      });
      await sub.subscribe(t.topic('dur'), manual.handler, { autoAck: false, durable: `${t.prefix}-m` });
      await sub.subscribe(t.topic('dur'), auto.handler, { durable: `${t.prefix}-a` });
      await t.settle();
      await pub.publish(t.topic('dur'), msg('again'));
      await wait(() => manual.got.length >= 2 && auto.got.length >= 2, 'redeliveries');
      expect(manual.got.slice(0, 2).map(text)).toEqual(['again', 'again']);
      expect(auto.got.slice(0, 2).map(text)).toEqual(['again', 'again']);
    });

    it('stops delivery on unsubscribe', async () => {
      const t = setup();
      const [pub, sub] = [await t.main(), await t.peer()];
      const gone = recorder();
      const stays = recorder();
      const s = await sub.subscribe(t.topic('u'), gone.handler);
      await sub.subscribe(t.topic('u'), stays.handler);
      expect(s.topic).toBe(t.topic('u'));
      await t.settle();
      await pub.publish(t.topic('u'), msg('1'));
      await wait(() => gone.got.length === 1 && stays.got.length === 1, 'first message on both');
      await s.unsubscribe();
      await t.settle();
      await pub.publish(t.topic('u'), msg('2'));
      await wait(() => stays.got.length === 2, 'second message on the remaining subscriber');
      expect(gone.got.map(text)).toEqual(['1']);
      await s.unsubscribe(); // idempotent
    });

    it('keeps the order of one publisher for each subscriber (1000 messages)', async () => {
      const t = setup();
      const pub = await t.main();
      const exact = recorder();
      const wild = recorder();
      await (await t.peer()).subscribe(t.topic('ord.x'), exact.handler);
      await (await t.peer()).subscribe(t.topic('ord.>'), wild.handler);
      await t.settle();
      const n = 1000;
      for (let i = 0; i < n; i++) await pub.publish(t.topic('ord.x'), msg(String(i)));
      await wait(() => exact.got.length >= n && wild.got.length >= n, `${n} messages on both`);
      const want = Array.from({ length: n }, (_, i) => String(i));
      expect(exact.got.map(text)).toEqual(want);
      expect(wild.got.map(text)).toEqual(want);
    });

    it('survives a throwing handler', async () => {
      const t = setup();
      const [pub, sub] = [await t.main(), await t.peer()];
      let calls = 0;
      const r = recorder(async () => {
        calls++;
        if (calls === 1) throw new Error('sync-ish failure');
        if (calls === 2) await Promise.reject(new Error('async failure'));
      });
      await sub.subscribe(t.topic('throw'), r.handler);
      await t.settle();
      for (let i = 0; i < 4; i++) await pub.publish(t.topic('throw'), msg(String(i)));
      await wait(() => r.got.length >= 4, 'four deliveries');
      expect(r.got.slice(0, 4).map(text)).toEqual(['0', '1', '2', '3']);
    });

    it('drains in-flight handlers on disconnect, then refuses to publish', async () => {
      const t = setup();
      const [pub, sub] = [await t.main(), await t.peer()];
      let release = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let started = false;
      let finished = false;
      await sub.subscribe(t.topic('drain'), async () => {
        started = true;
        await gate;
        finished = true;
      });
      await t.settle();
      const published = pub.publish(t.topic('drain'), msg('slow')).catch((e: unknown) => e);
      await wait(() => started, 'handler start');
      let finishedAtClose: boolean | undefined;
      const closing = sub.disconnect().then(() => {
        finishedAtClose = finished;
      });
      await Promise.race([closing, delay(100)]); // disconnect must still be waiting for the handler
      expect(finishedAtClose).toBeUndefined();
      release();
      await closing;
      expect(finishedAtClose).toBe(true);
      expect(await published).toBeUndefined();
      const e = await rejection(sub.publish(t.topic('drain'), msg('late')));
      expect(e.detail).toMatch(/disconnect|closed/i);
    });

    it('flush() resolves once every publish made before it has settled, and at once with none pending', async () => {
      const t = setup();
      const [pub, sub] = [await t.main(), await t.peer()];
      await pub.flush();
      const r = recorder();
      await sub.subscribe(t.topic('fl'), r.handler);
      await t.settle();
      const n = 200;
      let settled = 0;
      const count = () => {
        settled++;
      };
      // Not awaited one by one: the barrier is what waits.
      for (let i = 0; i < n; i++) pub.publish(t.topic('fl'), msg(String(i))).then(count, count);
      const before = settled;
      await pub.flush();
      // A publish's own .then runs before the barrier's: every one made before flush() has settled.
      expect(settled).toBe(n);
      expect(before).toBeLessThan(n);
      await wait(() => r.got.length >= n, `${n} messages after flush`);
      expect(r.got.map(text)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    });

    it('flush() resolves at once on a disconnected broker', async () => {
      const t = setup();
      const b = await t.main();
      await b.disconnect();
      await expect(b.flush()).resolves.toBeUndefined();
    });

    it('rejects bad topics and patterns with 400', async () => {
      const t = setup();
      const b = await t.main();
      for (const bad of ['', 'a..b', '.a', 'a.', 'a.*', 'a.>', '>', 'a b']) {
        const e = await rejection(b.publish(bad, msg('x')));
        expect(e.code, `publish "${bad}"`).toBe(400);
      }
      for (const bad of ['', 'a..b', 'a.>.b', '>.a', 'a b']) {
        const e = await rejection(Promise.resolve().then(() => b.subscribe(bad, () => {})));
        expect(e.code, `subscribe "${bad}"`).toBe(400);
      }
      for (const good of ['>', '*', 'a.*.>', t.topic('*.b')]) {
        const s = await b.subscribe(good, () => {});
        await s.unsubscribe();
      }
    });
  });
}
