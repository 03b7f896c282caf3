import { memoryBroker } from '@tsmicro/broker';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';
import type { SubscriberWrapper } from './server.js';

/** Polls `cond` every few ms, up to `ms`. */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
}

const message = (body: unknown) => ({ header: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });

describe('subscriber wrappers (the handler wrapper shape)', () => {
  it("see a synchronous subscriber's own return value, and a promise only from an async one", async () => {
    const broker = memoryBroker();
    const got: unknown[] = [];
    const seeing: SubscriberWrapper = (next) => (payload, ctx) => {
      const out = next(payload, ctx);
      got.push(out instanceof Promise ? 'promise' : out);
      return out;
    };
    const s = createServer({ name: 'subs', broker, wrappers: { subscriber: [seeing] } });
    const seen: unknown[] = [];
    s.subscribe('t.sync', (p) => {
      seen.push(p);
      return 'done at once';
    });
    s.subscribe('t.async', async (p) => {
      seen.push(p);
    });
    await s.start();
    try {
      await broker.publish('t.sync', message({ n: 1 }));
      await broker.publish('t.async', message({ n: 2 }));
      await until(() => got.length === 2);
      expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
      expect(got).toEqual(['done at once', 'promise']);
    } finally {
      await s.stop();
    }
  });

  it('nack a message whose wrapper throws at once, and run no subscriber for it', async () => {
    const broker = memoryBroker();
    const broken: SubscriberWrapper = () => () => {
      throw new Error('wrapper broke');
    };
    const s = createServer({ name: 'subs', broker, wrappers: { subscriber: [broken] } });
    let ran = false;
    s.subscribe('t.x', () => {
      ran = true;
    });
    await s.start();
    try {
      await broker.publish('t.x', message({}));
      await new Promise((r) => setTimeout(r, 20));
      expect(ran).toBe(false);
    } finally {
      await s.stop();
    }
  });
});
