import { type Client, createClient } from '@tsmicro/client';
import { isMicroError } from '@tsmicro/core';
import { tcpTransport } from '@tsmicro/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { executions, startWorkCluster, type WorkCluster, type WorkNode, waitFor } from './work-nodes.js';

const CALLS = 24;

describe('a call that is not idempotent runs at most once (real processes)', () => {
  let cluster: WorkCluster | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close();
    await cluster?.close();
  });

  /** Two nodes of one service, a client with the default retries (1), and `CALLS` calls of 400 ms in flight. */
  async function setup(env: Record<string, string> = {}) {
    cluster = await startWorkCluster(2, env);
    const { log, service, nodes, registry } = cluster;
    client = createClient({ transport: tcpTransport(), registry, circuitBreaker: false });
    const c = client;
    const fire = (idempotent: boolean) =>
      Array.from({ length: CALLS }, (_, i) =>
        c.call(service, 'Work.run', { id: `call-${i}`, ms: 400 }, { idempotent }).then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        ),
      );
    // Both nodes are busy with calls before the fault.
    const started = async () => (await executions(log)).size >= CALLS;
    return { log, fire, started, victim: nodes[0] as WorkNode };
  }

  for (const fault of ['SIGKILL mid-call', 'graceful stop cuts the handler'] as const) {
    const env: Record<string, string> = fault === 'SIGKILL mid-call' ? {} : { GRACE_MS: '100' };
    const strike = (n: WorkNode) => n.child.kill(fault === 'SIGKILL mid-call' ? 'SIGKILL' : 'SIGTERM');

    it(`${fault}: no non-idempotent call runs twice; those cut fail with 502 (outcome unknown)`, async () => {
      const { log, fire, started, victim } = await setup(env);
      const calls = fire(false);
      await waitFor(started, 10_000);
      strike(victim);
      const results = await Promise.all(calls);
      const runs = await executions(log);
      const twice = [...runs].filter(([, n]) => n > 1).map(([id]) => id);
      expect(twice).toEqual([]);
      const failed = results.filter((r) => !r.ok).map((r) => (r.ok ? undefined : r.e));
      expect(failed.length).toBeGreaterThan(0);
      for (const e of failed) {
        expect(isMicroError(e) && e.code).toBe(502);
        expect(isMicroError(e) && e.detail).toMatch(/may have run/);
      }
      // Every call either answered or told its caller the outcome is unknown: none was lost.
      expect(results.filter((r) => r.ok).length + failed.length).toBe(CALLS);
    }, 30_000);

    it(`${fault}: idempotent calls under the same fault all succeed (retried on the other node)`, async () => {
      const { fire, started, victim } = await setup(env);
      const calls = fire(true);
      await waitFor(started, 10_000);
      strike(victim);
      const results = await Promise.all(calls);
      const failed = results.filter((r) => !r.ok).map((r) => (r.ok ? '' : String(r.e)));
      expect(failed).toEqual([]);
    }, 30_000);
  }
});
