import { describe, expect, it } from 'vitest';
import { formatGateway, GW_STACKS, runGatewayBench } from './index.js';

describe('GW bench rows (smoke: tiny windows, real child processes and autocannon)', () => {
  it('measures bare hono, bare fastify and the gateway, with ratios to bare hono', async () => {
    const rows = await runGatewayBench({ warmupMs: 200, measureMs: 500, rounds: 1, connections: 8 });
    expect(rows.map((r) => r.stack)).toEqual([...GW_STACKS]);
    for (const r of rows) {
      expect(r.rate).toBeGreaterThan(0);
      expect(r.errors).toBe(0);
      expect(r.cpuPerRequest).toBeGreaterThan(0);
    }
    expect(rows[0]?.ratio).toBeUndefined();
    expect(rows[2]?.ratio).toBeGreaterThan(0);
    expect(formatGateway(rows, { markdown: true })).toMatch(/^\| Stack \| req\/s/);
  }, 60_000);
});
