import { describe, expect, it } from 'vitest';
import { runRow, type Settings } from './execute.js';
import { createHistogram } from './histogram.js';
import { runClosedLoop, runStreamLoop } from './load.js';
import { createProcessGroup } from './procs.js';
import type { PubSubImpl } from './protocol.js';
import { connectRaw, createFrameReader, encodeFrame, startRawServer } from './raw/index.js';
import { formatMarkdown, formatTable, machineInfo } from './report.js';
import { ceilingOf, planRows, type RowResult } from './rows.js';

describe('histogram', () => {
  it('is exact below 128 ns and within 2 % above', () => {
    const h = createHistogram();
    for (let us = 1; us <= 10_000; us++) h.record(us * 1000);
    expect(h.count).toBe(10_000);
    expect(h.quantile(0.5) / 1e6).toBeCloseTo(5, 1);
    expect(Math.abs(h.quantile(0.99) / 9_900_000 - 1)).toBeLessThan(0.02);
    expect(h.summary().max).toBe(10_000);
    const small = createHistogram();
    for (const v of [3, 7, 7, 100]) small.record(v);
    expect([small.quantile(0), small.quantile(0.5), small.quantile(1)]).toEqual([3, 7, 100]);
  });

  it('reports zeros when empty and clamps huge values', () => {
    const h = createHistogram();
    expect(h.summary()).toEqual({ count: 0, p50: 0, p99: 0, max: 0, mean: 0 });
    h.record(1e12);
    expect(h.quantile(1)).toBeGreaterThan(0xffff_ffff * 0.98);
    expect(h.quantile(1)).toBeLessThanOrEqual(0xffff_ffff);
    h.reset();
    expect(h.count).toBe(0);
  });
});

describe('raw frames', () => {
  it('reassembles frames split across chunks', () => {
    const bytes = Buffer.concat([encodeFrame({ a: 1 }), encodeFrame({ b: 'x'.repeat(300) })]);
    const r = createFrameReader();
    const got = [...r.push(bytes.subarray(0, 3)), ...r.push(bytes.subarray(3, 20)), ...r.push(bytes.subarray(20))];
    expect(got).toEqual([{ a: 1 }, { b: 'x'.repeat(300) }]);
  });
});

describe('raw echo in-process', () => {
  it('answers pipelined calls and streams, and the loops measure them', async () => {
    const server = await startRawServer();
    const client = await connectRaw(server.address);
    try {
      expect(await client.call({ name: 'x' })).toMatchObject({ msg: 'Hello x' });
      expect(await client.stream(500)).toBe(500);
      const load = await runClosedLoop(() => client.call({ name: 'b' }), { concurrency: 8, warmupMs: 20, measureMs: 150 });
      expect(load.ops).toBeGreaterThan(100);
      expect(load.latency.p50).toBeGreaterThan(0);
      expect(load.latency.p99).toBeGreaterThanOrEqual(load.latency.p50);
      // Client and server share this process: it was busy for a good part of the window, and a share is at most a few cores.
      expect(load.cpu).toBeGreaterThan(0.05);
      expect(load.cpu).toBeLessThan(4);
      const stream = await runStreamLoop((onItem) => client.stream(1000, onItem), { warmupMs: 20, measureMs: 150 });
      expect(stream.ops).toBeGreaterThan(500);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

const tiny: Settings = {
  warmupMs: 100,
  measureMs: 300,
  streamCount: 1000,
  pubsubCount: 2000,
  pubsubLimitMs: 2000,
  soakMs: 300,
  soakWarmupMs: 200,
};

describe('rows in child processes', () => {
  it('runs the raw W1 echo with server and client in separate processes', async () => {
    const g = createProcessGroup();
    const [row] = planRows(new Set(['W1'])).filter((r) => r.kind === 'echo' && r.impl === 'raw' && r.concurrency === 64);
    if (!row) throw new Error('no raw W1 c=64 row planned');
    const r = await runRow(g, row, tiny);
    expect(r.note).toBe('');
    expect(r.rate).toBeGreaterThan(100);
    expect(r.rssServer).toBeGreaterThan(0);
    // Both processes worked during the window, each at most a few cores' worth.
    expect(r.cpuServer).toBeGreaterThan(0.01);
    expect(r.cpuServer).toBeLessThan(4);
    expect(r.cpuClient).toBeGreaterThan(0.01);
    expect(r.cpuClient).toBeLessThan(4);
  });

  it('samples server RSS through a soak', async () => {
    const g = createProcessGroup();
    const [row] = planRows(new Set(['SOAK']), 'raw');
    if (!row) throw new Error('no soak row planned');
    const r = await runRow(g, row, tiny);
    // A window this short holds two samples (one every 5 s, at least two), then the RSS at the end.
    expect(r.note).toMatch(
      /^slope [+-]\d+\.\d\d %\/10 s over the last 0\.3 s \(2 samples\); server RSS MB (\d+ → ){2}\d+ \([+-]\d+\.\d % over 0\.3 s\); \d+ at 0\.1 s \([+-]\d+\.\d % since\)$/,
    );
    expect(r.rate).toBeGreaterThan(100);
  });

  it('runs raw HTTP pub/sub and counts what arrived', async () => {
    const g = createProcessGroup();
    const row = planRows(new Set(['W3'])).find((r) => r.impl === 'http');
    if (!row) throw new Error('no http W3 row planned');
    const r = await runRow(g, row, tiny);
    expect(r.note).toMatch(/^lost 0/);
    expect(r.rate).toBeGreaterThan(0);
  });

  it('runs W3 through httpBroker, the subscriber found through a seeded registry', async () => {
    const g = createProcessGroup();
    const row = planRows(new Set(['W3'])).find((r) => r.impl === 'httpBroker');
    if (!row) throw new Error('no httpBroker W3 row planned');
    const r = await runRow(g, row, { ...tiny, pubsubCount: 500 });
    expect(r.note).toBe('lost 0');
    expect(r.rate).toBeGreaterThan(0);
  });

  it('runs the by-name app path: two createServices found through mDNS on loopback, called by name', async () => {
    const g = createProcessGroup();
    const row = planRows(new Set(['W1'])).find((r) => r.impl === 'service-name' && r.concurrency === 64);
    if (!row) throw new Error('no service-name W1 row planned');
    const r = await runRow(g, row, tiny);
    expect(r.note).toBe('');
    expect(r.rate).toBeGreaterThan(100);
  });

  it('runs W3 on the app path (client.publish → server.subscribe) over httpBroker', async () => {
    const g = createProcessGroup();
    const row = planRows(new Set(['W3'])).find((r) => r.impl === 'httpApp');
    if (!row) throw new Error('no httpApp W3 row planned');
    const r = await runRow(g, row, { ...tiny, pubsubCount: 500 });
    expect(r.note).toBe('lost 0');
    expect(r.rate).toBeGreaterThan(0);
  });

  it('turns a stack that cannot start into a row note, not a failed run', async () => {
    const g = createProcessGroup();
    const row = { kind: 'pubsub', id: 'W3', label: 'W3', impl: 'carrier-pigeon' as PubSubImpl } as const;
    const r = await runRow(g, row, tiny);
    expect(r.rate).toBeUndefined();
    expect(r.note).toMatch(/unknown stack "carrier-pigeon" for role sub/);
  });
});

describe('report', () => {
  it('compares each tsmicro row with its ceiling and formats both outputs', () => {
    const rows = planRows(new Set(['W1']));
    const raw = rows[0]!;
    const ours = rows[1]!;
    const done: RowResult[] = [{ row: raw, rate: 1000, unit: 'calls/s', p50: 10, p99: 20, note: '' }];
    expect(ceilingOf(ours, done)?.rate).toBe(1000);
    expect(ceilingOf(raw, done)).toBeUndefined();
    const all = [...done, { row: ours, rate: 700, unit: 'calls/s', ratio: 0.7, note: 'a|b' } as const];
    expect(formatTable(all)).toContain('0.70×');
    const md = formatMarkdown(all, machineInfo(), 'tiny');
    // W1 leads with the by-name app path.
    expect(md).toContain('| W1 echo c=1 | service-name | 700 calls/s |');
    expect(md).toContain('a\\|b');
  });
});
