import type { Broker } from '@tsmicro/broker';
import { type Client, createClient } from '@tsmicro/client';
import type { Registry } from '@tsmicro/registry';
import {
  brokerChoice,
  createBroker,
  createRegistry,
  describeBrokerChoice,
  describeRegistryChoice,
  type RegistryChoice,
  registryChoice,
} from '@tsmicro/service/plugins';
import { tcpTransport } from '@tsmicro/transport';
import { asFailure, CliFailure, ExitCode, usageError } from './failure.js';
import { createOutput, type Output } from './output.js';
import { timedRegistry } from './timed-registry.js';

/** The options every command takes (flags win over the environment variables a service reads too). */
export interface GlobalOptions {
  registry?: string;
  registryAddress?: string;
  mdnsInterface?: string;
  broker?: string;
  brokerAddress?: string;
  json?: boolean;
  verbose?: boolean;
}

/** What a command runs with: output, and the registry, broker and client, each made on first use and closed by `close()`. */
export interface CliContext {
  readonly out: Output;
  readonly registryChoice: RegistryChoice;
  registry(): Registry;
  broker(): Broker;
  /** A tcp client over the registry (and the broker, once `broker()` was asked for). */
  client(): Client;
  /** Resolves on Ctrl-C (SIGINT) or SIGTERM, for commands that run until stopped. */
  interrupted(): Promise<string>;
  close(): Promise<void>;
}

/** The output the global options ask for (`--json`, `--verbose`). */
export function outputFor(g: GlobalOptions): Output {
  return createOutput({ json: g.json === true, verbose: g.verbose === true });
}

function choose<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new CliFailure(asFailure(e).error, { exitCode: ExitCode.usage });
  }
}

/**
 * The context of one command run from its global options.
 * @example const ctx = createContext({ registry: 'etcd', json: true }); try { await ctx.registry().listServices() } finally { await ctx.close() }
 */
export function createContext(g: GlobalOptions, out: Output = outputFor(g)): CliContext {
  const options = {
    registry: g.registry,
    registryAddress: g.registryAddress,
    mdnsInterface: g.mdnsInterface,
    broker: g.broker,
    brokerAddress: g.brokerAddress,
  };
  const rc = choose(() => registryChoice(options));
  if (rc.kind === 'memory') {
    throw usageError(
      'the memory registry lives inside one process, so tsmicro cannot see your services in it: choose mdns, etcd or consul',
    );
  }
  let registry: Registry | undefined;
  let broker: Broker | undefined;
  let client: Client | undefined;
  const cleanup: Array<() => void> = [];
  const ctx: CliContext = {
    out,
    registryChoice: rc,
    registry() {
      if (registry === undefined) {
        const where = describeRegistryChoice(rc);
        out.debug(`registry: ${where}`);
        registry = timedRegistry(createRegistry(rc), where, out.debug);
      }
      return registry;
    },
    broker() {
      if (broker === undefined) {
        const bc = choose(() => brokerChoice(options));
        out.debug(`broker: ${describeBrokerChoice(bc)}`);
        broker = createBroker(bc, { registry: ctx.registry() });
      }
      return broker;
    },
    client() {
      client ??= createClient({ transport: tcpTransport(), registry: ctx.registry(), ...(broker && { broker }) });
      return client;
    },
    interrupted() {
      return new Promise((resolve) => {
        const on = (sig: string) => () => resolve(sig);
        const int = on('SIGINT');
        const term = on('SIGTERM');
        process.once('SIGINT', int);
        process.once('SIGTERM', term);
        cleanup.push(() => {
          process.off('SIGINT', int);
          process.off('SIGTERM', term);
        });
      });
    },
    async close() {
      for (const c of cleanup) c();
      await client?.close();
      await broker?.disconnect();
      await registry?.close();
    },
  };
  return ctx;
}
