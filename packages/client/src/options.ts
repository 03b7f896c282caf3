import type { Broker } from '@tsmicro/broker';
import { type CodecSet, codecSet, defaultCodecs } from '@tsmicro/codec';
import { badRequest, type Logger, silentLogger } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import { isNodeFailure, type Selector } from '@tsmicro/selector';
import { memoryTransport, type Transport } from '@tsmicro/transport';
import type { CallWrapper, ClientCompression, ClientOptions, HashKey, PublishWrapper, StreamWrapper } from './client.js';
import { idempotentMatcher } from './idempotent.js';
import {
  type BulkheadOptions,
  backoff,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type RetryBudget,
  type RetryBudgetOptions,
} from './resilience/index.js';

/**
 * Client options with every default applied: plain settings, read-only. What the client builds from
 * them and keeps while it runs (selector, pool, breaker, budget, bulkheads, caches) is its
 * `ClientRuntime` (runtime.ts).
 */
export interface ResolvedClientOptions {
  readonly transport: Transport;
  /** The selector the caller gave; without one the runtime builds one over `registry`. */
  readonly selector: Selector | undefined;
  readonly registry: Registry | undefined;
  readonly broker: Broker | undefined;
  readonly codecs: CodecSet;
  readonly contentType: string;
  readonly timeout: number;
  readonly retries: number;
  readonly attemptTimeout: number | undefined;
  /** Ms to wait before retry number `retry` (1 for the first). */
  readonly backoff: (retry: number) => number;
  /** The retry budget's options or a shared instance; undefined for none. */
  readonly retryBudget: RetryBudgetOptions | RetryBudget | undefined;
  /** The circuit breaker's options or a shared instance; undefined for none. */
  readonly circuitBreaker: CircuitBreakerOptions | CircuitBreaker | undefined;
  /** Each service's bulkhead; undefined when calls are not capped. */
  readonly bulkhead: BulkheadOptions | undefined;
  /** Whether an endpoint is listed as idempotent; undefined when none is (every call then is not). */
  readonly idempotent: ((service: string, endpoint: string) => boolean) | undefined;
  readonly hashKey: HashKey | undefined;
  /** The per-node cap (selector `maxInflight`), undefined for none. */
  readonly nodeLimit: number | undefined;
  readonly poolSize: number;
  readonly dialTimeout: number;
  readonly pingInterval: number;
  readonly busyPingAfter: number;
  readonly pingTimeout: number;
  /** Ms a non-idempotent call waits for its node's pong before it is written; 0: not held. */
  readonly confirmAlive: number;
  readonly streamWindow: number;
  readonly compression: ClientCompression;
  readonly logger: Logger;
  readonly callWrappers: readonly CallWrapper[];
  readonly streamWrappers: readonly StreamWrapper[];
  readonly publishWrappers: readonly PublishWrapper[];
}

/** The one place client defaults live. */
export function resolveClientOptions(o: ClientOptions): ResolvedClientOptions {
  return {
    transport: o.transport ?? memoryTransport(),
    selector: o.selector,
    registry: o.registry,
    broker: o.broker,
    codecs: codecSet(o.codecs ?? defaultCodecs),
    contentType: o.contentType ?? 'application/json',
    timeout: o.timeout ?? 5000,
    retries: o.retries ?? 1,
    attemptTimeout: o.attemptTimeout,
    backoff: typeof o.backoff === 'function' ? o.backoff : backoff({ base: 25, factor: 2, cap: 1000, ...o.backoff }),
    retryBudget: o.retryBudget === false ? undefined : (o.retryBudget ?? {}),
    circuitBreaker: o.circuitBreaker === false ? undefined : breakerSettings(o.circuitBreaker),
    bulkhead: o.bulkhead,
    idempotent: o.idempotent && o.idempotent.length > 0 ? idempotentMatcher(o.idempotent) : undefined,
    hashKey: o.hashKey,
    nodeLimit: nodeLimitOf(o),
    poolSize: Math.max(1, o.poolSize ?? 2),
    dialTimeout: o.dialTimeout ?? 5000,
    pingInterval: o.pingInterval ?? 30_000,
    busyPingAfter: o.busyPingAfter ?? 250,
    pingTimeout: o.pingTimeout ?? 1000,
    confirmAlive: confirmAliveOf(o.confirmAlive),
    streamWindow: o.streamWindow ?? 256 * 1024,
    compression: o.compression ?? {},
    logger: o.logger ?? silentLogger(),
    callWrappers: o.wrappers?.call ?? [],
    streamWrappers: o.wrappers?.stream ?? [],
    publishWrappers: o.wrappers?.publish ?? [],
  };
}

/** True for a breaker instance (shared between clients), false for options of the client's own. */
export function isBreaker(b: CircuitBreakerOptions | CircuitBreaker): b is CircuitBreaker {
  return typeof (b as Partial<CircuitBreaker>).acquire === 'function';
}

/** True for a budget instance (shared between clients), false for options of the client's own. */
export function isBudget(b: RetryBudgetOptions | RetryBudget): b is RetryBudget {
  return typeof (b as Partial<RetryBudget>).tryRetry === 'function';
}

/** A given breaker as it is; options count 5xx, 408 and transport errors as failures unless they say otherwise. */
function breakerSettings(b: CircuitBreakerOptions | CircuitBreaker | undefined): CircuitBreakerOptions | CircuitBreaker {
  if (b !== undefined && isBreaker(b)) return b;
  return { isFailure: isNodeFailure, ...b };
}

function nodeLimitOf(o: ClientOptions): number | undefined {
  const max = o.nodeBulkhead?.maxConcurrent;
  if (max === undefined) return undefined;
  if (!Number.isInteger(max) || max < 1) throw badRequest(`nodeBulkhead.maxConcurrent must be a positive integer, got ${max}`);
  return max;
}

function confirmAliveOf(ms: number | false | undefined): number {
  if (ms === false) return 0;
  if (ms === undefined) return 250;
  if (!(ms >= 0) || !Number.isFinite(ms)) throw badRequest(`confirmAlive must be a number of ms (0 or false: off), got ${String(ms)}`);
  return ms;
}
