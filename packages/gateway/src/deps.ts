import type { Broker } from '@tsmicro/broker';
import type { CacheRegistry, Registry } from '@tsmicro/registry';
import type { BytesClient } from './bytes-client.js';
import type { CallerGone } from './disconnect.js';
import type { ResolvedGatewayOptions } from './options.js';

/** What every route of one gateway shares. */
export interface GatewayDeps {
  readonly o: ResolvedGatewayOptions;
  /** Calls services with JSON bytes both ways (its own client, or a ready one: see bytes-client.ts). */
  readonly client: BytesClient;
  /** The given registry behind a watch-driven cache: per-request lookups are answered from memory. */
  readonly registry: CacheRegistry;
  /** The registry as given, for listings and watches. */
  readonly source: Registry;
  /** For topic tails; set whenever `publish` is on. */
  readonly broker: Broker | undefined;
  /** Aborts when the gateway closes: every open stream ends. */
  readonly closing: AbortSignal;
  /** A request's signal for when its caller goes away (one per connection). */
  readonly callerGone: CallerGone;
}
