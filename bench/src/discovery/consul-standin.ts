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
 * Starts the stand-in the registry package tests consulRegistry against. It is test support, not
 * part of any package (packages/registry/test/consul-standin), so it is loaded from this checkout's
 * source through tsx; when it cannot be loaded the error says so and the row is skipped.
 */
export async function startConsulStandin(): Promise<ConsulStandin> {
  // The same depth from bench/src/discovery and bench/dist/discovery.
  const file = new URL('../../../packages/registry/test/consul-standin/standin.ts', import.meta.url);
  let mod: unknown;
  try {
    const { tsImport } = await import('tsx/esm/api');
    mod = await tsImport(file.href, import.meta.url);
  } catch (e) {
    throw serviceUnavailable(`the Consul stand-in could not be loaded from ${file.pathname}: ${(e as Error).message}`, { cause: e });
  }
  if (!isStandinModule(mod)) throw serviceUnavailable(`${file.pathname} does not export startConsulStandin`);
  return mod.startConsulStandin();
}
