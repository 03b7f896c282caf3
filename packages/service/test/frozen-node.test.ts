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
    const seen = { ok: 0, okAfter: 0, okBefore: 0, okEarly: 0, failures: [] as unknown[], ids: [] as string[] };
    let frozenAt = Number.POSITIVE_INFINITY;
    let end = Date.now() + 60_000;
    const loop = async (w: number) => {
      for (let i = 0; Date.now() < end; i++) {
        const id = `w${w}-${i}`;
        try {
          await c.call(service, 'Work.run', { id, ms: 1 }, { idempotent });
          seen.ok++;
          const at = Date.now();
          if (at > frozenAt + 2000) seen.okAfter++;
          // The 900 ms before the freeze, and the 900 ms from 100 ms after it: well before a ping can tell (250 + 1000 ms).
          if (at >= frozenAt - 900 && at < frozenAt) seen.okBefore++;
          if (at >= frozenAt + 100 && at < frozenAt + 1000) seen.okEarly++;
        } catch (e) {
          seen.failures.push(e);
          seen.ids.push(id);
        }
      }
    };
    const loops = Array.from({ length: LOOPS }, (_, w) => loop(w));
    await sleep(1700);
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

  it('healthy nodes under the same load are not passed over: round robin keeps their shares even', async () => {
    cluster = await startWorkCluster(3);
    const { service, registry } = cluster;
    client = createClient({ transport: tcpTransport(), registry });
    const c = client;
    const byPid = new Map<number, number>();
    const end = Date.now() + 2000;
    const loop = async (w: number) => {
      for (let i = 0; Date.now() < end; i++) {
        const r = await c.call<{ pid: number }>(service, 'Work.run', { id: `h${w}-${i}`, ms: 1 }, { idempotent: true });
        byPid.set(r.pid, (byPid.get(r.pid) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: LOOPS }, (_, w) => loop(w)));
    const total = [...byPid.values()].reduce((a, b) => a + b, 0);
    const shares = [...byPid.values()].map((n) => n / total);
    // A third each when no node is ever passed over; a node passed over now and then (a stall of its
    // process on this busy machine) may lose a little, not its place.
    expect(shares).toHaveLength(3);
    for (const share of shares) expect(share).toBeGreaterThan(0.25);
  }, 60_000);

  it('new calls stop going to the frozen node at once: long before the ping verdict, calls flow at over half the rate of before', async () => {
    const { seen } = await freezeUnderLoad(true);
    // Before the selector passed over silent nodes, every loop was stuck on the frozen node from the
    // first milliseconds until the ping verdict (~1.25 s): 0 calls completed in this window.
    expect(seen.okEarly).toBeGreaterThan(0.5 * seen.okBefore);
  }, 60_000);

  it('calls that are not idempotent: those caught on the frozen node fail with 502 (outcome unknown), none runs twice', async () => {
    const { seen, elapsed, log } = await freezeUnderLoad(false);
    expect(elapsed).toBeLessThan(AFTER_FREEZE_MS + 2500);
    expect(seen.okAfter).toBeGreaterThan(0);
    // Only loops whose call was on the node at the freeze or sent in its first milliseconds fail (once
    // each): new calls go elsewhere as soon as the node is silent for longer than usual. Before that,
    // every loop ended up on the frozen node and failed. How many are caught in those first
    // milliseconds depends on the machine (answers come in bursts on a busy one: 13 of 16 were seen
    // in a CI run beside a callgrind job), so the bound is "not all"; docs/reliability.md has the counts.
    expect(seen.failures.length).toBeLessThan(LOOPS);
    expect(seen.okEarly).toBeGreaterThan(0);
    for (const e of seen.failures) {
      expect(isMicroError(e) && e.code).toBe(502);
      expect(isMicroError(e) && e.detail).toMatch(/stopped answering.*may have run/);
    }
    const runs = await executions(log);
    expect([...runs].filter(([, n]) => n > 1)).toEqual([]);
  }, 60_000);
});
