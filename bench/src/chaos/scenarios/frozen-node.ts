import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kinds, loadSpec, pause, privateMdns, type ServerProc, serverSpec, startLoad, startServer, terminate } from '../cluster.js';
import { executedTwice, markNode, rateBetween, recoveryMs } from '../faults.js';
import type { ChaosScenario } from '../scenario.js';

const CONCURRENCY = 32;
/** Of those, callers of the non-idempotent `Chaos.once`. */
const ONCE_WORKERS = 8;
const RECOVER_WITHIN_MS = 2000;
const SHARE = 0.6;

/**
 * Scenario 7: one of 3 servers is frozen (SIGSTOP: its sockets stay open, nothing answers) under
 * c=32 load with the client's defaults. The throughput must come back within 2 s; idempotent calls
 * must not fail; only the non-idempotent calls in flight on the node at the freeze may fail (502,
 * outcome unknown): later ones must go to other nodes; no call runs twice (the frozen node is continued at the end and runs what it had read).
 */
export const scenario: ChaosScenario = {
  name: 'frozen-node',
  budgetSeconds: 45,
  async run(ctx) {
    const discovery = privateMdns();
    const dir = await mkdtemp(join(tmpdir(), 'chaos-frozen-'));
    const executionLog = join(dir, 'executions.log');
    const durationMs = ctx.quick ? 7000 : 10_000;
    const freezeAfterMs = ctx.quick ? 3000 : 4000;
    const servers: ServerProc[] = await Promise.all(
      [0, 1, 2].map((i) => startServer(ctx, serverSpec(discovery, { executionLog }), `server ${i}`)),
    );
    const victim = servers[0] as ServerProc;
    try {
      const load = await startLoad(
        ctx,
        loadSpec(discovery, { durationMs, concurrency: CONCURRENCY, onceWorkers: ONCE_WORKERS, strategy: 'default' }),
      );
      await pause(load.startedAt + freezeAfterMs - Date.now(), ctx.signal);
      // The load client counts the calls in flight on the node and stops it in one turn; the clock is
      // read before asking, so recovery is never timed from later than the freeze.
      const frozenAt = Date.now();
      const inflightAtFreeze = await markNode(load, victim.address, { pid: victim.pid, name: 'SIGSTOP' });
      ctx.log(`SIGSTOPped ${victim.address} at t=${frozenAt - load.startedAt} ms (${inflightAtFreeze} Chaos.once calls in flight on it)`);
      const r = await load.result();
      // The frozen node runs what it had read once it is continued: that must not make anything run twice.
      victim.child.kill('SIGCONT');
      await pause(1000, ctx.signal);
      const at = frozenAt - r.startedAt;
      const before = rateBetween(r.timeline, at - 2000, at);
      const recovered = recoveryMs(r.timeline, at, before, SHARE);
      const { executions, twice } = await executedTwice(executionLog);
      const outcomeUnknown = Object.entries(r.once.failures)
        .filter(([k]) => k.startsWith('502 '))
        .reduce((n, [, v]) => n + v, 0);
      const pass =
        recovered !== undefined &&
        recovered <= RECOVER_WITHIN_MS &&
        r.failed === 0 &&
        r.once.failed <= inflightAtFreeze &&
        outcomeUnknown === r.once.failed &&
        twice === 0 &&
        r.succeeded > 0;
      return {
        name: 'frozen-node',
        pass,
        target: `c=${CONCURRENCY} (${ONCE_WORKERS} callers of a non-idempotent endpoint), default client: calls/s back to ≥ ${SHARE * 100} % of before within ${RECOVER_WITHIN_MS} ms of the freeze; 0 failed idempotent calls; failed non-idempotent calls all 502 and no more than were in flight on the node at the freeze (no new call sent to it after); 0 executed twice`,
        figures: {
          'calls/s before': Math.round(before),
          'calls/s 0-1 s after': Math.round(rateBetween(r.timeline, at, at + 1000)),
          'calls/s 1-2 s after': Math.round(rateBetween(r.timeline, at + 1000, at + 2000)),
          'recovered ms': recovered ?? 'never',
          'idempotent calls': r.attempted,
          'idempotent failed': r.failed,
          'non-idempotent calls': r.once.attempted,
          'non-idempotent in flight on it at the freeze': inflightAtFreeze,
          'non-idempotent failed (502)': outcomeUnknown,
          'non-idempotent failed (other)': r.once.failed - outcomeUnknown,
          'executed ids': executions,
          'executed twice': twice,
        },
        notes: `caller failures: ${kinds({ ...r.failures, ...r.once.failures })}; failed attempts: ${kinds(r.attemptErrors)}`,
      };
    } finally {
      // A stopped process must never outlive the scenario.
      victim.child.kill('SIGCONT');
      await Promise.all(servers.map((s) => terminate(s, 8000)));
      await rm(dir, { recursive: true, force: true });
    }
  },
};
