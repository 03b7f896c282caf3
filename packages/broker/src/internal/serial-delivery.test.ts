import { silentLogger } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import type { Event } from '../broker.js';
import { SerialDelivery } from './serial-delivery.js';

const body = (s: string) => new TextEncoder().encode(s);
const text = (e: Event) => new TextDecoder().decode(e.message.body);

describe('SerialDelivery', () => {
  it('finishes a synchronous handler before deliver returns', async () => {
    const seen: string[] = [];
    const d = new SerialDelivery((e) => void seen.push(`${e.topic}:${text(e)}`), silentLogger());
    d.deliver('a.b', { header: {}, body: body('1') });
    expect(seen).toEqual(['a.b:1']);
    await d.idle();
  });

  it('runs async handlers one at a time, in arrival order, and idle() waits for the queue', async () => {
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const d = new SerialDelivery(async (e) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, Number(text(e)) % 3));
      order.push(text(e));
      running--;
    }, silentLogger());
    const sent = Array.from({ length: 20 }, (_, i) => String(i));
    for (const s of sent) d.deliver('t', { header: {}, body: body(s) });
    await d.idle();
    expect(order).toEqual(sent);
    expect(most).toBe(1);
  });

  it('goes on after a handler throws or rejects', async () => {
    const ok: string[] = [];
    const d = new SerialDelivery((e) => {
      const s = text(e);
      if (s === 'sync-throw') throw new Error('boom');
      if (s === 'async-reject') return Promise.reject(new Error('boom'));
      ok.push(s);
    }, silentLogger());
    for (const s of ['1', 'sync-throw', '2', 'async-reject', '3']) d.deliver('t', { header: {}, body: body(s) });
    await d.idle();
    expect(ok).toEqual(['1', '2', '3']);
  });

  it('gives ack and nack that resolve (nothing to redeliver)', async () => {
    let event: Event | undefined;
    const d = new SerialDelivery((e) => {
      event = e;
    }, silentLogger());
    d.deliver('t', { header: { k: 'v' }, body: body('x') });
    await expect(event?.ack()).resolves.toBeUndefined();
    await expect(event?.nack()).resolves.toBeUndefined();
    expect(event?.message.header).toEqual({ k: 'v' });
  });
});
