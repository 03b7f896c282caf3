import { randomBytes } from 'node:crypto';
import { requireServer } from '@tsmicro/core/testing';
import { headers, type NatsConnection } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import { stockClient } from '../../test/nats-testkit.js';
import type { Broker } from '../broker.js';
import { msg, recorder, text, waitFor } from '../testing/index.js';
import { natsBroker } from './index.js';

const natsUp = await requireServer('NATS', 4222);

describe.runIf(natsUp)('natsBroker interop with a stock NATS client', () => {
  let broker: Broker;
  let nc: NatsConnection;
  const topic = (rest: string) => `interop${randomBytes(4).toString('hex')}.${rest}`;
  afterEach(async () => {
    await broker?.disconnect();
    await nc?.close();
  });
  const setup = async () => {
    broker = natsBroker();
    await broker.connect();
    nc = await stockClient();
  };

  it('delivers a plain NATS publish (with and without headers) to a tsmicro subscriber', async () => {
    await setup();
    const t = topic('in');
    const r = recorder();
    await broker.subscribe(`${t.split('.')[0]}.*`, r.handler);
    const h = headers();
    h.set('x-trace', 'abc');
    nc.publish(t, new TextEncoder().encode('with headers'), { headers: h });
    nc.publish(t, new TextEncoder().encode('bare'));
    await waitFor(() => r.got.length === 2, { what: 'two messages' });
    expect(r.got.map(text)).toEqual(['with headers', 'bare']);
    expect(r.got[0]?.header).toEqual({ 'x-trace': 'abc' });
    expect(r.got[1]?.header).toEqual({});
    expect(r.got[0]?.topic).toBe(t);
  });

  it('publishes the body as the NATS payload and headers as NATS headers', async () => {
    await setup();
    const t = topic('out');
    const sub = nc.subscribe(t, { max: 1 });
    await nc.flush();
    await broker.publish(t, msg('payload', { 'content-type': 'text/plain', 'x-id': '7' }));
    for await (const m of sub) {
      expect(new TextDecoder().decode(m.data)).toBe('payload');
      expect(m.headers?.get('content-type')).toBe('text/plain');
      expect(m.headers?.get('x-id')).toBe('7');
    }
    expect(sub.getProcessed()).toBe(1);
  });

  it('shares a queue group with stock NATS queue subscribers', async () => {
    await setup();
    const t = topic('q');
    const r = recorder();
    await broker.subscribe(t, r.handler, { queue: 'mixed' });
    let stock = 0;
    nc.subscribe(t, { queue: 'mixed', callback: () => stock++ });
    await nc.flush();
    const n = 200;
    for (let i = 0; i < n; i++) nc.publish(t, new TextEncoder().encode(String(i)));
    await waitFor(() => r.got.length + stock === n, { what: `${n} deliveries` });
    expect(r.got.length).toBeGreaterThan(0);
    expect(stock).toBeGreaterThan(0);
  });
});
