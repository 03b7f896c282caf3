import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { requireServer } from '@tsmicro/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { connectedBrokers } from '../../test/fixtures.js';
import { deleteKeys, rawClient, uniqueKeyPrefix } from '../../test/redis-testkit.js';
import { delay, msg, recorder, text, waitFor } from '../testing/index.js';
import { type RedisBrokerOptions, redisBroker } from './index.js';

const redisUp = await requireServer('Redis', 6379);
const keyPrefix = uniqueKeyPrefix('streams');

describe.runIf(redisUp)('redisBroker streams (queue groups, durable)', () => {
  const broker = connectedBrokers((o?: RedisBrokerOptions) => redisBroker({ keyPrefix, ...o }));
  const id = () => randomBytes(4).toString('hex');
  afterAll(() => deleteKeys(keyPrefix));

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

  it('redelivers an entry that was never settled after claimIdle', async () => {
    const b = await broker({ claimIdle: 300, claimInterval: 50 });
    const t = `dur${id()}.idle`;
    const seen: number[] = [];
    await b.subscribe(
      t,
      async (e) => {
        seen.push(Date.now());
        if (seen.length >= 2) await e.ack();
      },
      { durable: `d${id()}`, autoAck: false },
    );
    await b.publish(t, msg('once'));
    await waitFor(() => seen.length >= 2, { what: 'redelivery after claimIdle' });
    expect((seen[1] ?? 0) - (seen[0] ?? 0)).toBeGreaterThanOrEqual(250);
    await delay(500);
    expect(seen.length).toBe(2);
  });

  it('reclaims the pending entries of a consumer whose process died', async () => {
    const t = `dead${id()}.work`;
    // A subscriber in another process takes the message, then is killed before acking it.
    const code = `
      const { redisBroker } = await import('@tsmicro/broker/redis');
      const b = redisBroker({ keyPrefix: '${keyPrefix}' });
      await b.connect();
      await b.subscribe('${t}', () => { console.log('got'); return new Promise(() => {}); }, { queue: 'workers' });
      console.log('ready');
    `;
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], { cwd });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await waitFor(() => out.includes('ready'), { timeout: 15_000, what: 'child subscriber' });
      const pub = await broker();
      await pub.publish(t, msg('important'));
      await waitFor(() => out.includes('got'), { what: 'child received' });
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    const survivor = recorder();
    await (await broker({ claimIdle: 200, claimInterval: 50 })).subscribe(t, survivor.handler, { queue: 'workers' });
    await waitFor(() => survivor.got.length === 1, { what: 'reclaimed entry' });
    expect(text(survivor.got[0] ?? { topic: '', header: {}, body: new Uint8Array() })).toBe('important');
    const raw = rawClient();
    await raw.connect();
    try {
      // The ack follows the handler: poll (bounded) until the group has nothing pending.
      let pending: unknown;
      for (let i = 0; i < 100; i++) {
        pending = await raw.call('XPENDING', `${keyPrefix}s:${t}`, 'workers');
        if (Array.isArray(pending) && pending[0] === 0) break;
        await delay(20);
      }
      expect(Array.isArray(pending) && pending[0]).toBe(0);
    } finally {
      raw.disconnect();
    }
  });

  it('caps every stream near maxLen', async () => {
    const b = await broker({ maxLen: 10 });
    const t = `cap${id()}.x`;
    await b.subscribe(t, () => {}, { durable: `d${id()}` });
    for (let i = 0; i < 500; i++) await b.publish(t, msg(String(i)));
    const raw = rawClient();
    await raw.connect();
    try {
      // MAXLEN ~ trims whole radix-tree nodes (100 entries by default), so "near" is within one node.
      expect(await raw.xlen(`${keyPrefix}s:${t}`)).toBeLessThanOrEqual(110);
    } finally {
      raw.disconnect();
    }
  });

  it('removes a consumer with nothing pending from its group on unsubscribe', async () => {
    const b = await broker();
    const t = `clean${id()}.x`;
    const r = recorder();
    const s = await b.subscribe(t, r.handler, { queue: 'g' });
    await b.publish(t, msg('1'));
    await waitFor(() => r.got.length === 1, { what: 'message' });
    await s.unsubscribe();
    const raw = rawClient();
    await raw.connect();
    try {
      const consumers = await raw.call('XINFO', 'CONSUMERS', `${keyPrefix}s:${t}`, 'g');
      expect(consumers).toEqual([]);
    } finally {
      raw.disconnect();
    }
  });
});
