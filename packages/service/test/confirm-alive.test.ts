import { type Client, createClient } from '@tsmicro/client';
import type { ServiceNode } from '@tsmicro/registry';
import type { Strategy } from '@tsmicro/selector';
import { tcpTransport } from '@tsmicro/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { executions, startWorkCluster, type WorkCluster, type WorkNode, waitFor } from './work-nodes.js';

/** Offers the nodes in registry order: the frozen node 0 is always chosen first. */
const inOrder: Strategy = {
  name: 'inOrder',
  pick({ nodes }) {
    let i = 0;
    return () => nodes[i++ % nodes.length] as ServiceNode;
  },
};

describe('confirmAlive: a call that is not idempotent is written only once its node answered a ping', () => {
  let cluster: WorkCluster | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close();
    await cluster?.close();
  });

  /** 2 real nodes, connections to both open, node 0 SIGSTOPped; one non-idempotent call chosen for node 0. */
  async function callFrozen(confirmAlive?: false) {
    cluster = await startWorkCluster(2);
    const { service, nodes, registry } = cluster;
    client = createClient({ transport: tcpTransport(), registry, ...(confirmAlive === false && { confirmAlive }) });
    const c = client;
    const [frozen, alive] = nodes as [WorkNode, WorkNode];
    // Open a connection to each node, so the call finds node 0's socket open, as a frozen node's is.
    for (const n of nodes) await c.call(service, 'Work.run', { id: `warm-${n.address}`, ms: 0 }, { address: n.address });
    frozen.child.kill('SIGSTOP');
    const outcome = await c
      .call<{ pid: number }>(service, 'Work.run', { id: 'once', ms: 0 }, { select: { strategy: inOrder }, timeout: 3000 })
      .then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    frozen.child.kill('SIGCONT');
    if (confirmAlive === false) {
      // The client closed that connection when the keepalive ping went unanswered; the node still runs what it had read.
      const log = cluster.log;
      await waitFor(async () => (await executions(log)).has('once'), 10_000);
    } else {
      // The continued node runs whatever it had read before it answers this later call on the same connection.
      await c.call(service, 'Work.run', { id: 'after', ms: 0 }, { address: frozen.address, timeout: 10_000 });
    }
    return { outcome, runs: await executions(cluster.log), alive };
  }

  it('the frozen node is never sent the request: the call runs once, on the other node', async () => {
    const { outcome, runs, alive } = await callFrozen();
    expect(outcome.ok ? outcome.value.pid : outcome.error).toBe(alive.child.pid);
    expect(runs.get('once')).toBe(1);
  }, 60_000);

  it('with confirmAlive false the request is written to the frozen node and the caller gets a failure', async () => {
    const { outcome, runs } = await callFrozen(false);
    expect(outcome.ok).toBe(false);
    // It was written: the node ran it once continued, after the caller had been told it failed.
    expect(runs.get('once')).toBe(1);
  }, 60_000);

  it('a bad confirmAlive is refused with a clear error', () => {
    expect(() => createClient({ confirmAlive: -1 })).toThrow(/confirmAlive must be a number of ms.*got -1/);
  });
});
