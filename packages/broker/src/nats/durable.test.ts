import { randomBytes } from 'node:crypto';
import { isMicroError } from '@tsmicro/core';
import { requireServer } from '@tsmicro/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { connectedBrokers } from '../../test/fixtures.js';
import { deleteStreams, uniquePrefix } from '../../test/nats-testkit.js';
import { delay, msg, recorder, text, waitFor } from '../testing/index.js';
import { type NatsBrokerOptions, natsBroker } from './index.js';

const natsUp = await requireServer('NATS', 4222);
const streamPrefix = uniquePrefix('D');

describe.runIf(natsUp)('natsBroker durable (JetStream)', () => {
  const broker = connectedBrokers((o?: NatsBrokerOptions) => natsBroker({ streamPrefix, ...o }));
  const id = () => randomBytes(4).toString('hex');
  afterAll(() => deleteStreams(streamPrefix));

  it('redelivers a message that was neither acked nor nacked within ackWait', async () => {
    const b = await broker({ ackWait: 300 });
    const t = `dur${id()}.wait`;
    const seen: number[] = [];
    await b.subscribe(
      t,
      async (e) => {
        seen.push(Date.now());
        if (seen.length >= 2) await e.ack(); // the first delivery is silently dropped
      },
      { durable: `d${id()}`, autoAck: false },
    );
    await b.publish(t, msg('once'));
    await waitFor(() => seen.length >= 2, { what: 'redelivery after ackWait' });
    expect((seen[1] ?? 0) - (seen[0] ?? 0)).toBeGreaterThanOrEqual(250);
    await delay(500); // acked now: no third delivery
    expect(seen.length).toBe(2);
  });

  it('delivers what was published while the durable subscriber was down', async () => {
    const pub = await broker();
    const t = `dur${id()}.down`;
    const durable = `d${id()}`;
    const first = recorder();
    const s = await (await broker()).subscribe(t, first.handler, { durable });
    await pub.publish(t, msg('before'));
    await waitFor(() => first.got.length === 1, { what: 'first message' });
    await s.unsubscribe();
    for (let i = 0; i < 5; i++) await pub.publish(t, msg(`while-down-${i}`));
    const again = recorder();
    await (await broker()).subscribe(t, again.handler, { durable });
    await waitFor(() => again.got.length === 5, { what: 'backlog' });
    expect(again.got.map(text)).toEqual([0, 1, 2, 3, 4].map((i) => `while-down-${i}`));
  });

  it('lets subscribers of one durable name compete for its messages', async () => {
    const pub = await broker();
    const t = `dur${id()}.compete`;
    const durable = `d${id()}`;
    const a = recorder();
    const c = recorder();
    await (await broker({ prefetch: 1 })).subscribe(t, a.handler, { durable, queue: 'workers' });
    await (await broker({ prefetch: 1 })).subscribe(t, c.handler, { durable, queue: 'workers' });
    const n = 40;
    for (let i = 0; i < n; i++) await pub.publish(t, msg(String(i)));
    await waitFor(() => a.got.length + c.got.length >= n, { what: `${n} deliveries` });
    await delay(100);
    const all = [...a.got, ...c.got].map(text);
    expect(new Set(all).size).toBe(n);
    expect(all.length).toBe(n);
    expect(a.got.length).toBeGreaterThan(0);
    expect(c.got.length).toBeGreaterThan(0);
  });

  it('stores wildcard durable topics and reports overlapping streams clearly', async () => {
    const b = await broker();
    const base = `dur${id()}`;
    const r = recorder();
    await b.subscribe(`${base}.*.created`, r.handler, { durable: `d${id()}` });
    await b.publish(`${base}.eu.created`, msg('eu'));
    await b.publish(`${base}.eu.deleted`, msg('not me'));
    await waitFor(() => r.got.length === 1, { what: 'wildcard delivery' });
    expect(r.got[0]?.topic).toBe(`${base}.eu.created`);
    // A narrower durable topic is covered by the existing stream; a wider one would overlap it.
    await b.subscribe(`${base}.us.created`, () => {}, { durable: `d${id()}` });
    const e = await b.subscribe(`${base}.>`, () => {}, { durable: `d${id()}` }).catch((err: unknown) => err);
    expect(isMicroError(e) && e.code).toBe(409);
    expect(String((e as Error).message)).toMatch(/overlaps JetStream stream/);
  });

  it('refuses a durable name NATS cannot use', async () => {
    const b = await broker();
    const e = await b.subscribe(`dur${id()}.x`, () => {}, { durable: 'a.b' }).catch((err: unknown) => err);
    expect(isMicroError(e) && e.code).toBe(400);
  });
  it("keeps a stored publish's Nats-Msg-Id out of later core publishes sharing its frozen header", async () => {
    // The client shares one frozen header per content type; JetStream adds Nats-Msg-Id to the NATS
    // headers it is handed, so headers cached for that frozen object must never go to JetStream.
    const b = await broker();
    const stored = `dur${id()}.stored`;
    const plain = `core${id()}.plain`;
    await b.subscribe(stored, recorder().handler, { durable: `d${id()}` });
    const r = recorder();
    await b.subscribe(plain, r.handler);
    const header = Object.freeze({ 'Content-Type': 'text/plain' });
    await b.publish(plain, { header, body: new TextEncoder().encode('before') });
    await b.publish(stored, { header, body: new TextEncoder().encode('stored') });
    await b.publish(plain, { header, body: new TextEncoder().encode('after') });
    await waitFor(() => r.got.length === 2, { what: 'both core messages' });
    expect(r.got.map((e) => e.header)).toEqual([{ 'Content-Type': 'text/plain' }, { 'Content-Type': 'text/plain' }]);
  });
});
