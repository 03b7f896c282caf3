import { type Client, type ClientOptions, createClient } from '@tsmicro/client';
import { memoryRegistry, type Registry } from '@tsmicro/registry';
import { createSelector, type Next, type Selector, type SelectorOptions } from '@tsmicro/selector';
import { createServer, type Server } from '@tsmicro/server';
import { memoryTransport, type Transport } from '@tsmicro/transport';

/** N real servers of service `svc` on one memory transport, and a client selecting among them. */
export interface Cluster {
  servers: Server[];
  client: Client;
  registry: Registry;
  transport: Transport;
  selector: Selector;
  /** Index of the server listening at `address`. */
  indexOf(address: string): number;
  close(): Promise<void>;
}

/**
 * Starts `n` servers; `handlers(i)` gives node i its handler objects (scripted behaviour lives in
 * their closures). The selector is a real one: `selector` options pass through (e.g. `outlier: false`).
 */
export async function cluster(
  n: number,
  handlers: (i: number) => Record<string, object>,
  o: { client?: ClientOptions; selector?: Omit<SelectorOptions, 'registry'>; wrapSelector?: (s: Selector) => Selector } = {},
): Promise<Cluster> {
  const transport = memoryTransport();
  const registry = memoryRegistry();
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const server = createServer({ name: 'svc', transport, registry });
    for (const [name, h] of Object.entries(handlers(i))) server.handle(name, h);
    await server.start();
    servers.push(server);
  }
  const real = createSelector({ registry, ...o.selector });
  const selector = o.wrapSelector ? o.wrapSelector(real) : real;
  const client = createClient({ transport, registry, selector, ...o.client });
  return {
    servers,
    client,
    registry,
    transport,
    selector,
    indexOf: (address) => servers.findIndex((s) => s.address === address),
    async close() {
      await client.close();
      await real.close();
      await Promise.all(servers.map((s) => s.stop()));
      await registry.close();
    },
  };
}

/** Counts of a selector's selections and `done()` reports, to check every attempt reports exactly once. */
export interface SelectionLedger {
  selections: number;
  dones: number;
  /** `done()` called again on a selection that already reported. */
  repeats: number;
  errors: number;
  /** First selection of each `select()` (a call's first attempt), by node id. */
  firstPicks: Map<string, number>;
}

/** An empty ledger. */
export const newLedger = (): SelectionLedger => ({ selections: 0, dones: 0, repeats: 0, errors: 0, firstPicks: new Map() });

/** A selector that forwards to `inner` and keeps a ledger of selections and `done()` reports. */
export function ledgerSelector(inner: Selector, ledger: SelectionLedger): Selector {
  return {
    async select(service, so) {
      const next: Next = await inner.select(service, so);
      let first = true;
      return () => {
        const sel = next();
        ledger.selections++;
        if (first) ledger.firstPicks.set(sel.node.id, (ledger.firstPicks.get(sel.node.id) ?? 0) + 1);
        first = false;
        let reported = false;
        return {
          node: sel.node,
          done(result) {
            if (reported) ledger.repeats++;
            else {
              reported = true;
              ledger.dones++;
              if (result?.error !== undefined) ledger.errors++;
            }
            sel.done(result);
          },
        };
      };
    },
    reset: (service) => inner.reset(service),
    close: () => inner.close(),
  };
}

/** A promise with its resolver outside, for handlers that wait for the test. */
export function gate<T = void>(): { promise: Promise<T>; open(v: T): void } {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    open = r;
  });
  return { promise, open };
}
