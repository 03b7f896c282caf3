import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isMicroError, type MicroError } from '@tsmicro/core';
import { requireServer } from '@tsmicro/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteStreams, uniquePrefix } from '../../test/nats-testkit.js';
import { freePort } from '../../test/server-process.js';
import type { Broker } from '../broker.js';
import { msg } from '../testing/index.js';
import { natsBroker } from './index.js';

const natsUp = await requireServer('NATS', 4222);

async function rejection(p: Promise<unknown>): Promise<MicroError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isMicroError(e)) throw new Error(`expected a MicroError, got ${String(e)}`);
  return e;
}

describe('natsBroker failures', () => {
  let broker: Broker | undefined;
  let silent: Server | undefined;
  const held: Socket[] = [];
  afterEach(async () => {
    await broker?.disconnect();
    for (const s of held.splice(0)) s.destroy();
    await new Promise((r) => (silent ? silent.close(r) : r(undefined)));
    silent = undefined;
  });

  it('fails connect() to a dead port at once with a 503 naming the address', async () => {
    const port = await freePort();
    broker = natsBroker({ servers: `127.0.0.1:${port}` });
    const t0 = Date.now();
    const e = await rejection(broker.connect());
    expect(e.code).toBe(503);
    expect(e.detail).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('bounds connect() to a server that accepts but never speaks NATS by connectTimeout', async () => {
    silent = createServer((s) => held.push(s));
    await new Promise<void>((r) => silent?.listen(0, '127.0.0.1', r));
    const addr = silent.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    broker = natsBroker({ servers: `127.0.0.1:${port}`, connectTimeout: 300 });
    const t0 = Date.now();
    const e = await rejection(broker.connect());
    expect(e.detail).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it.runIf(natsUp)('refuses a message above max_payload with the limit in the error', async () => {
    broker = natsBroker();
    await broker.connect();
    const e = await rejection(broker.publish('big.one', { header: {}, body: new Uint8Array(1024 * 1024 + 1) }));
    expect(e.code).toBe(413);
    expect(e.detail).toContain('1048576');
    await broker.publish('big.one', { header: {}, body: new Uint8Array(1024 * 1024 - 1024) }); // just under: fine
  });

  it.runIf(natsUp)('refuses headers with line breaks with a 400', async () => {
    broker = natsBroker();
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
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    try {
      const out = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code],
          { cwd, timeout: 15_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        );
      });
      expect(out.trim()).toBe('done');
    } finally {
      await deleteStreams(streamPrefix);
    }
  });
});
