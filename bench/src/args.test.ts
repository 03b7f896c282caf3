import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';
import { ceilingOf, planRows, type RowResult } from './rows.js';

describe('parseArgs', () => {
  it('runs W1–W4, OBS and GRPC for 5 s windows by default', () => {
    const a = parseArgs([]);
    expect([...a.selected]).toEqual(['W1', 'W2', 'W3', 'W4', 'OBS', 'GRPC']);
    expect(a.settings.measureMs).toBe(5000);
    expect(a.settings.warmupMs).toBe(1000);
    expect(a.write).toBe(true);
  });

  it('selects workloads, shortens windows and adds the soak', () => {
    const a = parseArgs(['w1', 'W3', '--quick', '--soak', '--no-write']);
    expect([...a.selected]).toEqual(['W1', 'W3', 'SOAK']);
    expect(a.settings.measureMs).toBe(1000);
    expect(a.write).toBe(false);
    expect(parseArgs(['W2'], '2').settings.measureMs).toBe(2000);
  });

  it('names the bad argument', () => {
    expect(() => parseArgs(['W9'])).toThrow(/unknown workload W9/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown flag --fast/);
  });

  it('runs OBS by default and when named: observability off, then on with an SDK (the headline), then without, each compared with off', () => {
    expect([...parseArgs([]).selected]).toContain('OBS');
    expect([...parseArgs(['W1']).selected]).not.toContain('OBS');
    const rows = planRows(parseArgs(['obs', '--quick']).selected);
    expect(rows.map((r) => r.impl)).toEqual(['tsmicro-json', 'tsmicro-obs-sdk', 'tsmicro-obs']);
    const [off, on] = rows;
    if (!off || !on) throw new Error('OBS rows not planned');
    const done: RowResult[] = [{ row: off, rate: 1000, unit: 'calls/s', note: '' }];
    expect(ceilingOf(on, done)?.row.impl).toBe('tsmicro-json');
    expect(ceilingOf(off, done)).toBeUndefined();
  });

  it('leads W1 with the by-name app path and W3 with client.publish → server.subscribe, each against its raw ceiling', () => {
    const w1 = planRows(parseArgs(['W1', '--quick']).selected).filter((r) => r.label === 'W1 echo c=64');
    expect(w1.map((r) => r.impl)).toEqual(['raw', 'service-name', 'service-address', 'tsmicro-json', 'tsmicro-msgpack']);
    const w3 = planRows(parseArgs(['W3', '--quick']).selected);
    const natsApp = w3.find((r) => r.impl === 'natsApp');
    const nats = w3.find((r) => r.impl === 'nats');
    if (!natsApp || !nats) throw new Error('W3 rows not planned');
    expect(ceilingOf(natsApp, [{ row: nats, rate: 1, unit: 'msgs/s', note: '' }])?.row.impl).toBe('nats');
  });

  it('GRPC: W1 c=1, c=64 and W4 on four stacks, each compared with grpc-js ↔ grpc-js of the same row', () => {
    const rows = planRows(parseArgs(['grpc']).selected);
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(['gRPC W1 c=1', 'gRPC W1 c=64', 'gRPC W4 stream 100k']));
    const base = rows[4];
    const mine = rows[5];
    if (!base || !mine) throw new Error('GRPC rows not planned');
    expect([base.impl, mine.impl]).toEqual(['grpcjs', 'tsmicro-grpc']);
    const done: RowResult[] = [{ row: base, rate: 1000, unit: 'calls/s', note: '' }];
    expect(ceilingOf(mine, done)?.row).toBe(base);
    expect(ceilingOf(base, done)).toBeUndefined();
  });
});
