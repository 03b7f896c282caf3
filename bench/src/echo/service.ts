import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, serviceUnavailable } from '@tsmicro/core';
import { createService, type Service } from '@tsmicro/service';
import type { EchoClient, EchoServer } from './target.js';
import { bench } from './tsmicro.js';

/**
 * The app path of the echo workloads: two `createService`s with every default (tcp, mDNS discovery
 * pinned to loopback by the bench, roundRobin selector over a watch-fed registry cache, the debug
 * stats wrapper on the server), the caller calling the server by its service name as an app does
 * (`service-name`) or, for comparison on the same server, by its `address` (`service-address`).
 * Logging stays at warn: the default info would print a line per start, which is not per call.
 */

/** Ms the caller waits for the server to show up in mDNS before the row fails. */
const DISCOVER_MS = 10_000;

const quiet = (name: string) => createLogger({ name, level: 'warn' });

/** Runs a service named `name` answering `Bench.echo` and `Bench.stream`; it registers in mDNS. */
export async function startServiceServer(name: string): Promise<EchoServer> {
  const svc = createService({ name, logger: quiet(name) });
  svc.handle('Bench', bench);
  await svc.start();
  return { address: svc.server.address, close: () => svc.stop() };
}

/** Calls until one call succeeds: the caller's mDNS must have seen the server before load starts. */
async function untilFound(call: () => Promise<unknown>, name: string): Promise<void> {
  const until = Date.now() + DISCOVER_MS;
  for (;;) {
    try {
      await call();
      return;
    } catch (e) {
      if (Date.now() > until) throw serviceUnavailable(`${name} not found through mDNS in ${DISCOVER_MS} ms`, { cause: e });
      await sleep(50);
    }
  }
}

/** A caller service (not started: it serves nothing) calling `name`, by name, or at `address` when given. */
export async function connectService(name: string, address?: string): Promise<EchoClient> {
  const svc: Service = createService({ name: `${name}-caller`, logger: quiet(`${name}-caller`) });
  const opts = address === undefined ? { timeout: 10_000 } : { address, timeout: 10_000 };
  const { client } = svc;
  const call = (req: Record<string, unknown>) => client.call(name, 'Bench.echo', req, opts);
  await untilFound(() => call({ name: 'probe' }), name);
  return {
    call,
    async stream(count, onItem) {
      const s = await client.stream(name, 'Bench.stream', opts);
      await s.send({ count });
      await s.closeSend();
      for await (const _ of s) onItem();
    },
    close: () => svc.stop(),
  };
}
