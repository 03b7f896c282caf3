import { type Client, type ClientOptions, createClient as createBareClient } from '@tsmicro/client';
import { resolvePlumbing } from './defaults.js';

/**
 * Options of {@link createClient}: those of `@tsmicro/client`'s `createClient`, with the service
 * defaults for the parts left out.
 */
export interface ServiceClientOptions extends ClientOptions {}

/**
 * A client-only process: discovers and calls services, and publishes, without a server, without
 * registering and without listening. The parts not given are the service defaults (tcp transport,
 * mDNS registry, http broker), so it finds what `createService()` processes register. `close()`
 * also closes the registry and broker it made itself. Logs nothing unless given a `logger`.
 * @example
 * const client = createClient();
 * const greeter = client.service<typeof greeterService>('greeter').Greeter;
 * console.log(await greeter.hello({ name: 'Ada' }));
 * await client.close();
 */
export function createClient(o: ServiceClientOptions = {}): Client {
  const d = resolvePlumbing(o, o.logger);
  const client = createBareClient({ ...o, transport: d.transport, registry: d.registry, broker: d.broker });
  return {
    ...client,
    async close() {
      await client.close();
      await d.owned.broker?.disconnect();
      await d.owned.registry?.close();
    },
  };
}
