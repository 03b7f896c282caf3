import type { Broker } from '@tsmicro/broker';
import { type CodecSet, codecSet, defaultCodecs } from '@tsmicro/codec';
import { badRequest, type Logger, type Metadata, silentLogger } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import { memoryTransport, type Transport } from '@tsmicro/transport';
import type { MuxCompression } from '@tsmicro/transport/rpc';
import type { AnyHandlerWrapper, ServerOptions, SubscriberWrapper } from './server.js';

/** Server options with every default applied. */
export interface ResolvedServerOptions {
  name: string;
  version: string;
  metadata: Metadata;
  transport: Transport;
  address: string;
  registry: Registry | undefined;
  broker: Broker | undefined;
  codecs: CodecSet;
  logger: Logger;
  registerTtl: number;
  registerInterval: number;
  gracePeriod: number;
  maxStreamsPerConnection: number;
  streamWindow: number;
  compression: MuxCompression;
  handlerWrappers: readonly AnyHandlerWrapper[];
  subscriberWrappers: readonly SubscriberWrapper[];
}

/** The one place server defaults live. */
export function resolveServerOptions(o: ServerOptions): ResolvedServerOptions {
  if (!o.name) throw badRequest('createServer needs a name');
  const transport = o.transport ?? memoryTransport();
  const registerTtl = o.registerTtl ?? 30_000;
  return {
    name: o.name,
    version: o.version ?? 'latest',
    metadata: o.metadata ?? {},
    transport,
    address: o.address ?? (transport.name === 'memory' ? '' : '127.0.0.1:0'),
    registry: o.registry,
    broker: o.broker,
    codecs: codecSet(o.codecs ?? defaultCodecs),
    logger: (o.logger ?? silentLogger()).child({ service: o.name }),
    registerTtl,
    registerInterval: o.registerInterval ?? Math.max(1, Math.floor(registerTtl / 3)),
    gracePeriod: o.gracePeriod ?? 10_000,
    maxStreamsPerConnection: o.maxStreamsPerConnection ?? 1024,
    streamWindow: o.streamWindow ?? 256 * 1024,
    compression: o.compression ?? {},
    handlerWrappers: o.wrappers?.handler ?? [],
    subscriberWrappers: o.wrappers?.subscriber ?? [],
  };
}
