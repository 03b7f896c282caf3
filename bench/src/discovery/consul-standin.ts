import { serviceUnavailable } from '@tsmicro/core';

/** The Consul HTTP stand-in of @tsmicro/registry, running in this process. */
export interface ConsulStandin {
  readonly address: string;
  close(): Promise<void>;
}

interface StandinModule {
  startConsulStandin(): Promise<ConsulStandin>;
}

const isStandinModule = (m: unknown): m is StandinModule =>
  typeof m === 'object' && m !== null && typeof (m as Partial<StandinModule>).startConsulStandin === 'function';

/**
 * Starts the stand-in the registry package tests consulRegistry against. It is not a public
 * export, so it is loaded from beside the resolved `@tsmicro/registry/consul` entry (`.ts` from
 * source, `.js` from dist); when it cannot be found the error says so and the row is skipped.
 */
export async function startConsulStandin(): Promise<ConsulStandin> {
  const entry = import.meta.resolve('@tsmicro/registry/consul');
  const file = new URL(entry.endsWith('.ts') ? './testing-standin.ts' : './testing-standin.js', entry);
  let mod: unknown;
  try {
    mod = await import(file.href);
  } catch (e) {
    throw serviceUnavailable(`the Consul stand-in was not found at ${file.pathname}: ${(e as Error).message}`, { cause: e });
  }
  if (!isStandinModule(mod)) throw serviceUnavailable(`${file.pathname} does not export startConsulStandin`);
  return mod.startConsulStandin();
}
