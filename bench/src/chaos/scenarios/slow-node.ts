import { kinds, loadSpec, privateMdns, type ServerProc, serverSpec, startLoad, startServer, terminate } from '../cluster.js';
import type { LoadReport } from '../nodes/protocol.js';
import type { ChaosScenario, ScenarioContext } from '../scenario.js';

/** Handler time of a healthy node, ms; the slow node takes 10× this. */
const HEALTHY_MS = 2;
const SLOW_MS = HEALTHY_MS * 10;

const round = (n: number) => Math.round(n * 100) / 100;
const rate = (r: LoadReport) => Math.round(r.succeeded / ((r.endedAt - r.startedAt) / 1000));
const meanMs = (r: LoadReport, address: string | undefined) => {
  const t = address === undefined ? undefined : r.nodes[address];
  return t && t.ok > 0 ? round(t.okMs / t.ok) : 0;
};

/** One c=64 `leastLoaded` load run against the cluster as it is now (a fresh client: no selector history). */
async function measure(ctx: ScenarioContext, servers: ServerProc[], slowMs: number, discovery: ReturnType<typeof privateMdns>) {
  for (const [i, s] of servers.entries()) s.box.send({ type: 'delay', ms: i === 2 ? slowMs : HEALTHY_MS });
  const durationMs = ctx.quick ? 4000 : 6000;
  const load = await startLoad(ctx, loadSpec(discovery, { durationMs, warmupMs: ctx.quick ? 1000 : 1500, strategy: 'leastLoaded' }));
  return load.result();
}

/**
 * Scenario 5: one of 3 servers answers 10× slower. The same cluster runs healthy, then with the
 * slow node, then healthy again, so the baseline (mean p99 of the two healthy runs) sees the same
 * processes and the same background load as the slow run.
 */
export const scenario: ChaosScenario = {
  name: 'slow-node',
  budgetSeconds: 45,
  async run(ctx) {
    const discovery = privateMdns();
    const servers = await Promise.all(
      [0, 1, 2].map((i) => startServer(ctx, serverSpec(discovery, { delayMs: HEALTHY_MS }), `server ${i}`)),
    );
    try {
      const before = await measure(ctx, servers, HEALTHY_MS, discovery);
      const hit = await measure(ctx, servers, SLOW_MS, discovery);
      const after = await measure(ctx, servers, HEALTHY_MS, discovery);
      const baseP99 = (before.latency.p99 + after.latency.p99) / 2;
      const ratio = hit.latency.p99 / Math.max(0.001, baseP99);
      const slow = servers[2]?.address;
      const share = slow ? (hit.nodes[slow]?.ok ?? 0) / Math.max(1, hit.succeeded) : 0;
      const healthyMean = Math.max(0, ...servers.slice(0, 2).map((s) => meanMs(hit, s.address)));
      const failed = before.failed + hit.failed + after.failed;
      const spread = Math.max(before.latency.p99, after.latency.p99) / Math.max(0.001, Math.min(before.latency.p99, after.latency.p99));
      return {
        name: 'slow-node',
        pass: ratio <= 2 && failed === 0,
        target: `leastLoaded, c=64, handlers ${HEALTHY_MS} ms, one node ${SLOW_MS} ms: p99 ≤ 2× the healthy baseline p99, 0 failures`,
        figures: {
          'baseline calls/s (before, after)': `${rate(before)}, ${rate(after)}`,
          'baseline p50 ms': round((before.latency.p50 + after.latency.p50) / 2),
          'baseline p99 ms (before, after)': `${round(before.latency.p99)}, ${round(after.latency.p99)}`,
          'slow-node calls/s': rate(hit),
          'slow-node p50 ms': round(hit.latency.p50),
          'slow-node p99 ms': round(hit.latency.p99),
          'p99 ratio': round(ratio),
          'slow node share %': round(share * 100),
          'slow node mean ms': meanMs(hit, slow),
          'healthy nodes mean ms': healthyMean,
          failed,
        },
        notes: [
          `failures: ${kinds({ ...before.failures, ...hit.failures, ...after.failures })}`,
          spread > 1.5 ? `the two baseline runs differ ${round(spread)}×: the machine was busy, the ratio is noisy` : '',
        ]
          .filter(Boolean)
          .join('; '),
      };
    } finally {
      await Promise.all(servers.map((s) => terminate(s, 8000)));
    }
  },
};
