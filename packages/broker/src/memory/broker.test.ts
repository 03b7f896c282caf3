import { describe, expect, it } from 'vitest';
import { delay, msg, recorder, runBrokerContract, text, waitFor } from '../testing/index.js';
import { memoryBroker } from './broker.js';

runBrokerContract({ name: 'memoryBroker', newBroker: () => memoryBroker(), capabilities: { shared: false, durable: true } });

describe('memoryBroker specifics', () => {
  it('keeps instances apart: no module-level bus', async () => {
    const a = memoryBroker();
    const b = memoryBroker();
    const r = recorder();
    await b.subscribe('x', r.handler);
    await a.publish('x', msg('1'));
    await b.publish('x', msg('2'));
    await waitFor(() => r.got.length === 1);
    expect(r.got.map(text)).toEqual(['2']);
    await Promise.all([a.disconnect(), b.disconnect()]);
  });

  it('spreads a queue group round-robin', async () => {
    const b = memoryBroker();
    const members = [recorder(), recorder(), recorder()];
    for (const m of members) await b.subscribe('q', m.handler, { queue: 'g' });
    for (let i = 0; i < 9; i++) await b.publish('q', msg(String(i)));
    await waitFor(() => members.every((m) => m.got.length === 3));
    expect(members[0]?.got.map(text)).toEqual(['0', '3', '6']);
    await b.disconnect();
  });

  it('hands the queued messages of a leaving queue member to the rest of its group', async () => {
    const b = memoryBroker();
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = recorder(() => gate);
    const other = recorder();
    const s = await b.subscribe('q', slow.handler, { queue: 'g' });
    await b.subscribe('q', other.handler, { queue: 'g' });
    for (let i = 0; i < 6; i++) await b.publish('q', msg(String(i)));
    await waitFor(() => slow.got.length === 1 && other.got.length === 3);
    await s.unsubscribe();
    release();
    await waitFor(() => other.got.length === 5);
    expect(slow.got.map(text)).toEqual(['0']);
    expect(other.got.map(text).sort()).toEqual(['1', '2', '3', '4', '5']);
    await b.disconnect();
  });

  it('stops redelivering a nacked durable message after maxRedeliveries', async () => {
    const b = memoryBroker({ maxRedeliveries: 2 });
    const r = recorder(() => {
      throw new Error('always');
    });
    await b.subscribe('d', r.handler, { durable: 'd1' });
    await b.publish('d', msg('x'));
    await waitFor(() => r.got.length === 3);
    await delay(30);
    expect(r.got.length).toBe(3);
    await b.disconnect();
  });

  it('does not redeliver a nack without durable', async () => {
    const b = memoryBroker();
    const r = recorder((e) => e.nack());
    const marker = recorder();
    await b.subscribe('n', r.handler, { autoAck: false });
    await b.subscribe('n', marker.handler);
    await b.publish('n', msg('x'));
    await b.publish('n', msg('y'));
    await waitFor(() => marker.got.length === 2 && r.got.length === 2);
    await delay(20);
    expect(r.got.map(text)).toEqual(['x', 'y']);
    await b.disconnect();
  });

  it('snapshots the body at publish, so the publisher may reuse its buffer', async () => {
    const b = memoryBroker();
    const r = recorder();
    await b.subscribe('s', r.handler);
    const buf = new Uint8Array([1, 2, 3]);
    await b.publish('s', { header: {}, body: buf });
    buf.fill(9);
    await waitFor(() => r.got.length === 1);
    expect([...(r.got[0]?.body ?? [])]).toEqual([1, 2, 3]);
    await b.disconnect();
  });

  it('gives up draining a stuck handler after drainTimeout', async () => {
    const b = memoryBroker({ drainTimeout: 50 });
    let started = false;
    await b.subscribe('stuck', () => {
      started = true;
      return new Promise<void>(() => {});
    });
    await b.publish('stuck', msg('x'));
    await waitFor(() => started);
    const t0 = Date.now();
    await b.disconnect();
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('works again after disconnect and connect', async () => {
    const b = memoryBroker();
    await b.disconnect();
    await expect(b.subscribe('x', () => {})).rejects.toThrow(/disconnected/);
    await b.connect();
    const r = recorder();
    await b.subscribe('x', r.handler);
    await b.publish('x', msg('back'));
    await waitFor(() => r.got.length === 1);
    await b.disconnect();
  });
});
