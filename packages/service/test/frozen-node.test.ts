import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from '@tsmicro/client';
import { isMicroError } from '@tsmicro/core';
import { tcpTransport } from '@tsmicro/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { executions, startWorkCluster, type WorkCluster, type WorkNode } from './work-nodes.js';

const LOOPS = 16;
const AFTER_FREEZE_MS = 3000;

describe('a frozen node (SIGSTOP: open socket, no answers) with default client settings', () => {
  let cluster: WorkCluster | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close();
    await cluster?.close();
  });

  /** 3 real nodes, `LOOPS` closed loops of calls; SIGSTOP one node under load; returns what callers saw. */
  async function freezeUnderLoad(idempotent: boolean) {
    cluster = await startWorkCluster(3);
    const { log, service, nodes, registry } = cluster;
    client = createClient({ transport: tcpTransport(), registry });
    const c = client;
    const seen = { ok: 0, okAfter: 0, failures: [] as unknown[], ids: [] as string[] };
    let frozenAt = Number.POSITIVE_INFINITY;
    let end = Date.now() + 60_000;
    const loop = async (w: number) => {
      for (let i = 0; Date.now() < end; i++) {
        const id = `w${w}-${i}`;
        try {
          await c.call(service, 'Work.run', { id, ms: 1 }, { idempotent });
          seen.ok++;
          if (Date.now() > frozenAt + 2000) seen.okAfter++;
        } catch (e) {
          seen.failures.push(e);
          seen.ids.push(id);
        }
      }
    };
    const loops = Array.from({ length: LOOPS }, (_, w) => loop(w));
    await sleep(700);
    const victim = nodes[0] as WorkNode;
    frozenAt = Date.now();
    victim.child.kill('SIGSTOP');
    end = frozenAt + AFTER_FREEZE_MS;
    await Promise.all(loops);
    const elapsed = Date.now() - frozenAt;
    return { seen, elapsed, log };
  }

  it('idempotent calls: none fails, none waits out its deadline, and calls flow again', async () => {
    const { seen, elapsed } = await freezeUnderLoad(true);
    // Without a keepalive every loop ended up waiting 5 s on the frozen node and failed with 408.
    expect(seen.failures.map(String)).toEqual([]);
    expect(elapsed).toBeLessThan(AFTER_FREEZE_MS + 2500);
    expect(seen.okAfter).toBeGreaterThan(0);
  }, 60_000);

  it('calls that are not idempotent: those caught on the frozen node fail with 502 (outcome unknown), none runs twice', async () => {
    const { seen, elapsed, log } = await freezeUnderLoad(false);
    expect(elapsed).toBeLessThan(AFTER_FREEZE_MS + 2500);
    expect(seen.okAfter).toBeGreaterThan(0);
    // At most one per loop: a loop caught on the frozen node fails once, then its calls go elsewhere.
    expect(seen.failures.length).toBeLessThanOrEqual(LOOPS);
    for (const e of seen.failures) {
      expect(isMicroError(e) && e.code).toBe(502);
      expect(isMicroError(e) && e.detail).toMatch(/stopped answering.*may have run/);
    }
    const runs = await executions(log);
    expect([...runs].filter(([, n]) => n > 1)).toEqual([]);
  }, 60_000);
});
