import { recordingLogger } from '@tsmicro/core/testing';
import { memoryRegistry, type Registry } from '@tsmicro/registry';
import { expect, it } from 'vitest';
import { startRegistration } from './registration.js';

it('logs what it registered and where, each failed heartbeat with the count and time left, and the recovery', async () => {
  const real = memoryRegistry();
  let failing = false;
  // The real registry, with an outage switched on and off by the test.
  const registry: Registry = {
    ...real,
    name: real.name,
    register: (s, o) => (failing ? Promise.reject(new Error('registry unreachable')) : real.register(s, o)),
  };
  const log = recordingLogger();
  const entries = log.lines;
  const record = {
    name: 'beating',
    version: '2.0.0',
    metadata: {},
    endpoints: [{ name: 'A.b', metadata: {} }],
    nodes: [{ id: 'beating-1', address: '127.0.0.1:9', metadata: {} }],
  };
  const r = await startRegistration(registry, record, { ttl: 1000, interval: 20, logger: log });
  const waitFor = async (pred: () => boolean) => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((res) => setTimeout(res, 10));
    expect(pred()).toBe(true);
  };
  try {
    expect(entries[0]).toMatchObject({
      level: 'debug',
      msg: 'registered beating@2.0.0 node beating-1 at 127.0.0.1:9 in the memory registry (ttl 1000 ms, heartbeat every 20 ms)',
      obj: { registry: 'memory', endpoints: ['A.b'], ttl: 1000, interval: 20 },
    });
    failing = true;
    await waitFor(() => entries.filter((e) => e.level === 'warn').length >= 2);
    const warns = entries.filter((e) => e.level === 'warn');
    expect(warns.map((w) => w.msg).slice(0, 2)).toEqual([
      'heartbeat registration failed (1 in a row)',
      'heartbeat registration failed (2 in a row)',
    ]);
    expect(warns[1]?.obj).toMatchObject({ err: 'registry unreachable', failures: 2, node: 'beating-1', registry: 'memory' });
    expect(warns[1]?.obj.expiresIn).toBeLessThan(1000);
    failing = false;
    await waitFor(() => entries.some((e) => e.level === 'info'));
    expect(entries.find((e) => e.level === 'info')?.msg).toMatch(/^heartbeat registration succeeded again after \d+ failure\(s\)$/);
  } finally {
    await r.stop();
    await real.close();
  }
  expect(entries.at(-1)?.msg).toBe('deregistered beating node beating-1 from the memory registry');
});
