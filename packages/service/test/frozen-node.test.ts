import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from '@tsmicro/client';
import { isMicroError } from '@tsmicro/core';
import { createSelector, type Next, type Selector } from '@tsmicro/selector';
import { tcpTransport } from '@tsmicro/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { executions, startWorkCluster, type WorkCluster, type WorkNode } from './work-nodes.js';

const LOOPS = 16;
const AFTER_FREEZE_MS = 3000;

/** The default selector, counting per address the selections not yet done: the calls in flight on each node. */
function countingSelector(inner: Selector): { selector: Selector; inflight: (address: string) => number } {
  const open = new Map<string, number>();
  const counted = (next: Next): Next =>
    Object.assign(
      () => {
        const sel = next();
        const address = sel.node.address;
        open.set(address, (open.get(address) ?? 0) + 1);
        let ended = false;
        return {
          node: sel.node,
          done(result?: { error?: unknown }) {
            sel.done(result);
            if (ended) return;
            ended = true;
            open.set(address, (open.get(address) ?? 1) - 1);
          },
        };
      },
      next.nodes && { nodes: next.nodes },
      next.records && { records: next.records },
    );
  const selector: Selector = {
    select: async (service, o) => counted(await inner.select(service, o)),
    selectNow: (service, o) => {
      const next = inner.selectNow?.(service, o);
      return next && counted(next);
    },
    reset: (service) => inner.reset(service),
    close: () => inner.close(),
  };
  return { selector, inflight: (address) => open.get(address) ?? 0 };
}

describe('a frozen node (SIGSTOP: open socket, no answers) with default client settings', () => {
  let cluster: WorkCluster | undefined;
  let client: Client | undefined;

  const selectors: Selector[] = [];
  afterEach(async () => {
    await client?.close();
    for (const s of selectors.splice(0)) await s.close();
    await cluster?.close();
  });

  /** 3 real nodes, `LOOPS` closed loops of calls; SIGSTOP one node under load; returns what callers saw. */
  async function freezeUnderLoad(idempotent: boolean) {
    cluster = await startWorkCluster(3);
    const { log, service, nodes, registry } = cluster;
    // The default selector (as the client builds it), counted: the bound is the calls in flight at the freeze.
    const counting = countingSelector(createSelector({ registry }));
    selectors.push(counting.selector);
    client = createClient({ transport: tcpTransport(), registry, selector: counting.selector });
    const c = client;
    const seen = { ok: 0, okAfter: 0, okBefore: 0, okEarly: 0, failures: [] as unknown[], ids: [] as string[], done: [] as number[] };
    let frozenAt = Number.POSITIVE_INFINITY;
    let end = Date.now() + 60_000;
    const loop = async (w: number) => {
      for (let i = 0; Date.now() < end; i++) {
        const id = `w${w}-${i}`;
        try {
          await c.call(service, 'Work.run', { id, ms: 1 }, { idempotent });
          seen.ok++;
          const at = Date.now();
          seen.done.push(at);
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
    // Counted in the same turn as the signal: no call can start or end in between.
    const inflightAtFreeze = counting.inflight(victim.address);
    victim.child.kill('SIGSTOP');
    end = frozenAt + AFTER_FREEZE_MS;
    await Promise.all(loops);
    const elapsed = Date.now() - frozenAt;
    return { seen, elapsed, log, inflightAtFreeze, recovered: recoveredWithin(seen.done, frozenAt) };
  }

  /**
   * Ms from the freeze until a 500 ms window of completions runs at ≥ 60 % of the rate in the second
   * before the freeze (the target: within 2 s); undefined when none does before the load ends.
   */
  function recoveredWithin(done: readonly number[], frozenAt: number): number | undefined {
    const count = (from: number, to: number) => done.filter((t) => t >= from && t < to).length;
    const before = count(frozenAt - 1000, frozenAt);
    for (let at = frozenAt; at + 500 <= frozenAt + AFTER_FREEZE_MS; at += 100) {
      if (count(at, at + 500) * 2 >= 0.6 * before) return at - frozenAt;
    }
    return undefined;
  }

  it('idempotent calls: none fails, none waits out its deadline, and calls flow again at ≥ 60 % of before within 2 s', async () => {
    const { seen, elapsed, recovered } = await freezeUnderLoad(true);
    // Without a keepalive every loop ended up waiting 5 s on the frozen node and failed with 408.
    expect(seen.failures.map(String)).toEqual([]);
    expect(elapsed).toBeLessThan(AFTER_FREEZE_MS + 2500);
    expect(seen.okAfter).toBeGreaterThan(0);
    expect(recovered).toBeLessThanOrEqual(2000);
  }, 60_000);

  it('healthy nodes under the same load are not passed over: the default strategy keeps their shares even', async () => {
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
    // A third each when no node is ever passed over. Three server processes share two cores with the
    // test run: leastLoaded rightly gives a node the scheduler starves a smaller share (0.19 seen in a
    // full parallel run). A node wrongly taken for silent is left for whole stretches and falls near 0.
    expect(shares).toHaveLength(3);
    for (const share of shares) expect(share).toBeGreaterThan(0.15);
  }, 60_000);

  it('new calls stop going to the frozen node at once: long before the ping verdict, calls flow at over half the rate of before', async () => {
    const { seen } = await freezeUnderLoad(true);
    // Before the selector passed over silent nodes, every loop was stuck on the frozen node from the
    // first milliseconds until the ping verdict (~1.25 s): 0 calls completed in this window.
    expect(seen.okEarly).toBeGreaterThan(0.5 * seen.okBefore);
  }, 60_000);

  it('calls that are not idempotent: only those in flight on the node at the freeze fail, with 502 (outcome unknown); none runs twice', async () => {
    const { seen, elapsed, log, inflightAtFreeze, recovered } = await freezeUnderLoad(false);
    expect(elapsed).toBeLessThan(AFTER_FREEZE_MS + 2500);
    expect(seen.okAfter).toBeGreaterThan(0);
    // The bound. A call chosen after the freeze is written only once the node answered a ping
    // sent after it was chosen (confirmAlive): it is never written to the frozen node, so it goes
    // elsewhere. Before, the calls sent in the first milliseconds (before any silence could tell)
    // failed too: up to 13 of 16 loops, against 2-4 in flight.
    expect(seen.failures.length).toBeLessThanOrEqual(inflightAtFreeze);
    expect(recovered).toBeLessThanOrEqual(2000);
    expect(seen.okEarly).toBeGreaterThan(0);
    for (const e of seen.failures) {
      expect(isMicroError(e) && e.code).toBe(502);
      expect(isMicroError(e) && e.detail).toMatch(/stopped answering.*may have run/);
    }
    const runs = await executions(log);
    expect([...runs].filter(([, n]) => n > 1)).toEqual([]);
  }, 60_000);
});
