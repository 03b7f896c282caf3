import type { Broker } from '@tsmicro/broker';
import { type CodecSet, codecSet, defaultCodecs } from '@tsmicro/codec';
import { type Logger, silentLogger } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import { createSelector, type Selector } from '@tsmicro/selector';
import { memoryTransport, type Transport } from '@tsmicro/transport';
import type { CallWrapper, ClientOptions, PublishWrapper, StreamWrapper } from './client.js';

/** Client options with every default applied. */
export interface ResolvedClientOptions {
  transport: Transport;
  /** The given selector, else one built (lazily, again after `close()`) over `registry`. */
  selector: (() => Selector) | undefined;
  /** Closes the selector the client built itself, if any. */
  closeSelector: () => Promise<void>;
  registry: Registry | undefined;
  broker: Broker | undefined;
  codecs: CodecSet;
  contentType: string;
  timeout: number;
  retries: number;
  poolSize: number;
  dialTimeout: number;
  pingInterval: number;
  streamWindow: number;
  logger: Logger;
  callWrappers: readonly CallWrapper[];
  streamWrappers: readonly StreamWrapper[];
  publishWrappers: readonly PublishWrapper[];
}

/** The one place client defaults live. */
export function resolveClientOptions(o: ClientOptions): ResolvedClientOptions {
  const logger = o.logger ?? silentLogger();
  const registry = o.registry;
  const given = o.selector;
  let built: Selector | undefined;
  const selector = given
    ? () => given
    : registry
      ? () => {
          built ??= createSelector({ registry, logger });
          return built;
        }
      : undefined;
  return {
    transport: o.transport ?? memoryTransport(),
    selector,
    async closeSelector() {
      const b = built;
      built = undefined;
      await b?.close();
    },
    registry: o.registry,
    broker: o.broker,
    codecs: codecSet(o.codecs ?? defaultCodecs),
    contentType: o.contentType ?? 'application/json',
    timeout: o.timeout ?? 5000,
    retries: o.retries ?? 1,
    poolSize: Math.max(1, o.poolSize ?? 2),
    dialTimeout: o.dialTimeout ?? 5000,
    pingInterval: o.pingInterval ?? 30_000,
    streamWindow: o.streamWindow ?? 16,
    logger,
    callWrappers: o.wrappers?.call ?? [],
    streamWrappers: o.wrappers?.stream ?? [],
    publishWrappers: o.wrappers?.publish ?? [],
  };
}
