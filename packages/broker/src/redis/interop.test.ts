import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { requireServer } from '@tsmicro/core/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deleteKeys, rawClient, uniqueKeyPrefix } from '../../test/redis-testkit.js';
import type { Broker } from '../broker.js';
import { msg, recorder, text, waitFor } from '../testing/index.js';
import { decodeEnvelope, MAGIC } from './envelope.js';
import { redisBroker } from './index.js';

const redisUp = await requireServer('Redis', 6379);
const keyPrefix = uniqueKeyPrefix('interop');
const exec = promisify(execFile);
const redisCli = (...args: string[]) => exec('redis-cli', ['-h', '127.0.0.1', '-p', '6379', ...args]);

describe.runIf(redisUp)('redisBroker interop with plain Redis clients', () => {
  let broker: Broker;
  let raw: Redis | undefined;
  const topic = (rest: string) => `interop${randomBytes(4).toString('hex')}.${rest}`;
  afterEach(async () => {
    await broker?.disconnect();
    raw?.disconnect();
    raw = undefined;
  });
  afterAll(() => deleteKeys(keyPrefix));
  const setup = async () => {
    broker = redisBroker({ keyPrefix });
    await broker.connect();
  };

  it('delivers a raw `redis-cli PUBLISH` to exact and wildcard subscribers as body without headers', async () => {
    await setup();
    const t = topic('created');
    const exact = recorder();
    const wild = recorder();
    await broker.subscribe(t, exact.handler);
    await broker.subscribe(`${t.split('.')[0]}.*`, wild.handler);
    await redisCli('PUBLISH', t, '{"id":1}');
    await waitFor(() => exact.got.length === 1 && wild.got.length === 1, { what: 'raw publish on both' });
    expect(text(exact.got[0] ?? { topic: '', header: {}, body: new Uint8Array() })).toBe('{"id":1}');
    expect(exact.got[0]?.header).toEqual({});
    expect(wild.got[0]?.topic).toBe(t);
  });

  it('publishes an envelope a plain client can decode', async () => {
    await setup();
    const t = topic('out');
    raw = rawClient();
    await raw.connect();
    const got = new Promise<Buffer>((resolve) => raw?.on('messageBuffer', (_c: Buffer, p: Buffer) => resolve(p)));
    await raw.subscribe(t);
    await broker.publish(t, msg('hi', { 'x-id': '9' }));
    const payload = await got;
    expect(payload.subarray(0, MAGIC.length).equals(MAGIC)).toBe(true);
    const m = decodeEnvelope(payload);
    expect(m.header).toEqual({ 'x-id': '9' });
    expect(new TextDecoder().decode(m.body)).toBe('hi');
  });

  it('escapes glob characters in literal tokens and re-checks what the glob over-matches', async () => {
    await setup();
    const base = topic('g');
    const r = recorder();
    await broker.subscribe(`${base}.[ab].*`, r.handler);
    for (const s of [`${base}.a.x`, `${base}.[ab].x.y`, `${base}.[ab].x`]) await broker.publish(s, msg(s));
    await waitFor(() => r.got.length >= 1, { what: 'the matching message' });
    await new Promise((res) => setTimeout(res, 50));
    expect(r.got.map(text)).toEqual([`${base}.[ab].x`]);
  });

  it('accepts a raw XADD into a stream as a message for the queue group', async () => {
    await setup();
    const t = topic('q');
    const r = recorder();
    await broker.subscribe(t, r.handler, { queue: 'workers' });
    await redisCli('XADD', `${keyPrefix}s:${t}`, '*', 'm', 'raw entry');
    await waitFor(() => r.got.length === 1, { what: 'raw stream entry' });
    expect(text(r.got[0] ?? { topic: '', header: {}, body: new Uint8Array() })).toBe('raw entry');
    expect(r.got[0]?.topic).toBe(t);
  });
});
