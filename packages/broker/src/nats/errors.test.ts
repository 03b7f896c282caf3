import { requireServer } from '@tsmicro/core/testing';
import { describe, expect, it } from 'vitest';
import { failureFixture, rejection, runModule } from '../../test/fixtures.js';
import { deleteStreams, uniquePrefix } from '../../test/nats-testkit.js';
import { freePort } from '../../test/server-process.js';
import { msg } from '../testing/index.js';
import { natsBroker } from './index.js';

const natsUp = await requireServer('NATS', 4222);

describe('natsBroker failures', () => {
  const f = failureFixture();

  it('fails connect() to a dead port at once with a 503 naming the address', async () => {
    const port = await freePort();
    const broker = f.use(natsBroker({ servers: `127.0.0.1:${port}` }));
    const t0 = Date.now();
    const e = await rejection(broker.connect());
    expect(e.code).toBe(503);
    expect(e.detail).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('bounds connect() to a server that accepts but never speaks NATS by connectTimeout', async () => {
    const port = await f.silentPort();
    const broker = f.use(natsBroker({ servers: `127.0.0.1:${port}`, connectTimeout: 300 }));
    const t0 = Date.now();
    const e = await rejection(broker.connect());
    expect(e.detail).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it.runIf(natsUp)('refuses a message above max_payload with the limit in the error', async () => {
    const broker = f.use(natsBroker());
    await broker.connect();
    const e = await rejection(broker.publish('big.one', { header: {}, body: new Uint8Array(1024 * 1024 + 1) }));
    expect(e.code).toBe(413);
    expect(e.detail).toContain('1048576');
    await broker.publish('big.one', { header: {}, body: new Uint8Array(1024 * 1024 - 1024) }); // just under: fine
  });

  it.runIf(natsUp)('refuses headers with line breaks with a 400', async () => {
    const broker = f.use(natsBroker());
    await broker.connect();
    const e = await rejection(broker.publish('hdr.bad', msg('x', { 'x-evil': 'a\r\nInjected: 1' })));
    expect(e.code).toBe(400);
  });

  it.runIf(natsUp)('lets the process exit after disconnect (no timer or socket left)', async () => {
    const streamPrefix = uniquePrefix('X');
    const code = `
      const { natsBroker } = await import('@tsmicro/broker/nats');
      const b = natsBroker({ streamPrefix: '${streamPrefix}' });
      await b.connect();
      let got = 0;
      await b.subscribe('exit.core', () => { got++; });
      await b.subscribe('exit.durable', () => { got++; }, { durable: 'exitd' });
      await b.publish('exit.core', { header: {}, body: new Uint8Array(1) });
      await b.publish('exit.durable', { header: {}, body: new Uint8Array(1) });
      while (got < 2) await new Promise((r) => setTimeout(r, 10));
      await b.disconnect();
      console.log('done');
    `;
    try {
      const out = await runModule(code);
      expect(out.trim()).toBe('done');
    } finally {
      await deleteStreams(streamPrefix);
    }
  });
});
