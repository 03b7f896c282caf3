import type { Broker } from '@tsmicro/broker';
import { type CodecSet, codecSet, defaultCodecs } from '@tsmicro/codec';
import { badRequest, type Logger, type Metadata, silentLogger } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import { memoryTransport, type Transport } from '@tsmicro/transport';
import type { MuxCompression } from '@tsmicro/transport/rpc';
import type { HandlerWrapper, ServerOptions, SubscriberWrapper } from './server.js';

/** Server options with every default applied. */
export interface ResolvedServerOptions {
  name: string;
  version: string;
  metadata: Metadata;
  /** The node's registry metadata, except `transport` and `register_ttl` (weight included). */
  nodeMetadata: Metadata;
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
  handlerWrappers: readonly HandlerWrapper[];
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
    nodeMetadata: nodeMetadataOf(o),
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

/** The node's own metadata: `nodeMetadata`, with `weight` written from the option (checked here, at creation). */
function nodeMetadataOf(o: ServerOptions): Metadata {
  const md: Metadata = { ...o.nodeMetadata };
  if (o.weight === undefined) return md;
  if (!Number.isFinite(o.weight) || o.weight <= 0) {
    throw badRequest(`createServer ${o.name}: weight must be a positive finite number, got ${o.weight}`);
  }
  md.weight = String(o.weight);
  return md;
}
