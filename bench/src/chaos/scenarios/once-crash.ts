import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kinds, loadSpec, pause, privateMdns, type ServerProc, serverSpec, startLoad, startServer, terminate } from '../cluster.js';
import { executedTwice, markNode } from '../faults.js';
import type { ChaosScenario } from '../scenario.js';

const CONCURRENCY = 32;
const ONCE_WORKERS = 16;

/**
 * Scenario 8: the non-idempotent crash check. 3 servers under c=32, half the callers on the
 * non-idempotent `Chaos.once`, with the client's default retries; one server is SIGKILLed. Every
 * execution is written down by the servers, so a call run twice (a retry after the connection was
 * lost) shows up.
 */
export const scenario: ChaosScenario = {
  name: 'once-crash',
  budgetSeconds: 40,
  async run(ctx) {
    const discovery = privateMdns();
    const dir = await mkdtemp(join(tmpdir(), 'chaos-once-'));
    const executionLog = join(dir, 'executions.log');
    const durationMs = ctx.quick ? 5000 : 8000;
    const killAfterMs = ctx.quick ? 2000 : 3000;
    // Handlers take 2 ms, so a crash catches calls mid-handler.
    const spec = serverSpec(discovery, { executionLog, delayMs: 2 });
    const servers: ServerProc[] = await Promise.all([0, 1, 2].map((i) => startServer(ctx, spec, `server ${i}`)));
    const victim = servers[0] as ServerProc;
    try {
      const load = await startLoad(
        ctx,
        loadSpec(discovery, { durationMs, concurrency: CONCURRENCY, onceWorkers: ONCE_WORKERS, retries: 1 }),
      );
      await pause(load.startedAt + killAfterMs - Date.now(), ctx.signal);
      const inflightAtKill = await markNode(load, victim.address);
      victim.child.kill('SIGKILL');
      ctx.log(`SIGKILLed ${victim.address} (${inflightAtKill} Chaos.once calls in flight on it)`);
      const r = await load.result();
      const { executions, twice } = await executedTwice(executionLog);
      const outcomeUnknown = Object.entries(r.once.failures)
        .filter(([k]) => k.startsWith('502 '))
        .reduce((n, [, v]) => n + v, 0);
      const pass =
        twice === 0 && r.failed === 0 && outcomeUnknown === r.once.failed && r.once.failed <= ONCE_WORKERS && r.once.succeeded > 0;
      return {
        name: 'once-crash',
        pass,
        target: `c=${CONCURRENCY} (${ONCE_WORKERS} callers of a non-idempotent endpoint), default retries: 0 executed twice; failed non-idempotent calls all 502 (outcome unknown), at most one per caller; 0 failed idempotent calls`,
        figures: {
          'non-idempotent calls': r.once.attempted,
          'non-idempotent in flight on it at the kill': inflightAtKill,
          'non-idempotent failed (502)': outcomeUnknown,
          'non-idempotent failed (other)': r.once.failed - outcomeUnknown,
          'executed ids': executions,
          'executed twice': twice,
          'idempotent calls': r.attempted,
          'idempotent failed': r.failed,
        },
        notes: `caller failures: ${kinds({ ...r.failures, ...r.once.failures })}; failed attempts: ${kinds(r.attemptErrors)}`,
      };
    } finally {
      await Promise.all(servers.slice(1).map((s) => terminate(s, 8000)));
      await rm(dir, { recursive: true, force: true });
    }
  },
};
