import { requireServer } from '@tsmicro/core/testing';
import { headers, type Msg } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import { stockClient } from '../../test/nats-testkit.js';
import { waitFor } from '../testing/index.js';
import { cachedNatsHeaders, headerReader } from './headers.js';

const natsUp = await requireServer('NATS', 4222);

describe('cachedNatsHeaders', () => {
  it('encodes the headers of a shared frozen header once, and a fresh header each time', () => {
    const cached = cachedNatsHeaders(headers);
    const frozen = Object.freeze({ 'Content-Type': 'application/json' });
    const a = cached(frozen) as unknown as { encode(): Uint8Array };
    const b = cached(frozen) as unknown as { encode(): Uint8Array };
    expect(b).toBe(a);
    // nats.js's publish sends what encode() answers: the same bytes, computed once.
    expect(a.encode()).toBe(b.encode());
    expect(new TextDecoder().decode(a.encode())).toBe('NATS/1.0\r\nContent-Type: application/json\r\n\r\n');
    const open = { 'Content-Type': 'application/json' };
    expect(cached(open)).not.toBe(cached(open));
  });
});

describe.runIf(natsUp)('headerReader', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('reads what nats.js decodes, reusing the last decoding for an identical header block, each message its own object', async () => {
    const nc = await stockClient();
    close = () => nc.close();
    const got: Msg[] = [];
    const topic = `hdr${process.pid}.${Date.now()}`;
    nc.subscribe(topic, { callback: (_e, m) => got.push(m) });
    await nc.flush();
    const h = (pairs: Record<string, string>) => {
      const out = headers();
      for (const [k, v] of Object.entries(pairs)) out.set(k, v);
      return out;
    };
    const json = { 'Content-Type': 'application/json' };
    const traced = { 'Content-Type': 'application/json', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    for (const pairs of [json, json, traced, json]) nc.publish(topic, new Uint8Array([1]), { headers: h(pairs) });
    nc.publish(topic, new Uint8Array([2]));
    await nc.flush();
    await waitFor(() => got.length === 5, { what: 'five messages' });
    const read = headerReader();
    const out = got.map(read);
    expect(out).toEqual([json, json, traced, json, {}]);
    expect(out[1]).not.toBe(out[0]);
    // The second message was not decoded by nats.js: its block matched the first one's.
    expect((got[1] as unknown as { _headers?: unknown })._headers).toBeUndefined();
    expect((got[2] as unknown as { _headers?: unknown })._headers).toBeDefined();
  });
});
