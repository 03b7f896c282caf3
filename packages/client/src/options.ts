import type { Broker } from '@tsmicro/broker';
import { type CodecSet, codecSet, defaultCodecs } from '@tsmicro/codec';
import { badRequest, type Logger, silentLogger } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import { createSelector, isNodeFailure, type Selector } from '@tsmicro/selector';
import { memoryTransport, type Transport } from '@tsmicro/transport';
import type { CallWrapper, ClientCompression, ClientOptions, HashKey, PublishWrapper, StreamWrapper } from './client.js';
import { idempotentMatcher } from './idempotent.js';
import {
  type Bulkhead,
  backoff,
  bulkhead,
  type CircuitBreaker,
  circuitBreaker,
  type RetryBudget,
  retryBudget,
} from './resilience/index.js';

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
  attemptTimeout: number | undefined;
  /** Ms to wait before retry number `retry` (1 for the first). */
  backoff: (retry: number) => number;
  retryBudget: RetryBudget | undefined;
  circuitBreaker: CircuitBreaker | undefined;
  /** The service's bulkhead, made on first use; undefined when calls are not capped. */
  bulkheadOf: (service: string) => Bulkhead | undefined;
  idempotent: (service: string, endpoint: string) => boolean;
  hashKey: HashKey | undefined;
  /** The per-node cap (selector `maxInflight`), undefined for none. */
  nodeLimit: number | undefined;
  poolSize: number;
  dialTimeout: number;
  pingInterval: number;
  busyPingAfter: number;
  pingTimeout: number;
  streamWindow: number;
  compression: ClientCompression;
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
  const bulkheads = new Map<string, Bulkhead>();
  const bo = o.bulkhead;
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
    attemptTimeout: o.attemptTimeout,
    backoff: typeof o.backoff === 'function' ? o.backoff : backoff({ base: 25, factor: 2, cap: 1000, ...o.backoff }),
    retryBudget: o.retryBudget === false ? undefined : isBudget(o.retryBudget) ? o.retryBudget : retryBudget(o.retryBudget),
    circuitBreaker:
      o.circuitBreaker === false
        ? undefined
        : isBreaker(o.circuitBreaker)
          ? o.circuitBreaker
          : circuitBreaker({ isFailure: isNodeFailure, ...o.circuitBreaker }),
    bulkheadOf: bo
      ? (service) => {
          let b = bulkheads.get(service);
          if (!b) {
            b = bulkhead({ name: `bulkhead of ${service}`, ...bo });
            bulkheads.set(service, b);
          }
          return b;
        }
      : () => undefined,
    idempotent: idempotentMatcher(o.idempotent ?? []),
    hashKey: o.hashKey,
    nodeLimit: nodeLimitOf(o),
    poolSize: Math.max(1, o.poolSize ?? 2),
    dialTimeout: o.dialTimeout ?? 5000,
    pingInterval: o.pingInterval ?? 30_000,
    busyPingAfter: o.busyPingAfter ?? 250,
    pingTimeout: o.pingTimeout ?? 1000,
    streamWindow: o.streamWindow ?? 256 * 1024,
    compression: o.compression ?? {},
    logger,
    callWrappers: o.wrappers?.call ?? [],
    streamWrappers: o.wrappers?.stream ?? [],
    publishWrappers: o.wrappers?.publish ?? [],
  };
}

function isBudget(b: ClientOptions['retryBudget']): b is RetryBudget {
  return typeof b === 'object' && typeof (b as Partial<RetryBudget>).tryRetry === 'function';
}

function isBreaker(b: ClientOptions['circuitBreaker']): b is CircuitBreaker {
  return typeof b === 'object' && typeof (b as Partial<CircuitBreaker>).acquire === 'function';
}

function nodeLimitOf(o: ClientOptions): number | undefined {
  const max = o.nodeBulkhead?.maxConcurrent;
  if (max === undefined) return undefined;
  if (!Number.isInteger(max) || max < 1) throw badRequest(`nodeBulkhead.maxConcurrent must be a positive integer, got ${max}`);
  return max;
}
