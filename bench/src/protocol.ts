import { badRequest } from '@tsmicro/core';
import type { LoadResult } from './load.js';

/**
 * The RPC stacks an echo workload can run on; the `-obs` ones are tsmicro-json with logging, metrics and
 * tracing; the `service-` ones are two `createService`s found through mDNS, the caller calling by name
 * (the app path) or by the node's `address`; the gRPC ones are compared with grpc-js ↔ grpc-js.
 */
export const ECHO_IMPLS = [
  'raw',
  'tsmicro-json',
  'tsmicro-msgpack',
  'tsmicro-obs',
  'tsmicro-obs-sdk',
  'service-name',
  'service-address',
  // The gRPC rows (bench/src/grpc): grpc-js both sides, tsmicro both sides (json, protobuf), grpc-js client → tsmicro server.
  'grpcjs',
  'tsmicro-grpc',
  'tsmicro-grpc-proto',
  'grpcjs-tsmicro',
] as const;
export type EchoImpl = (typeof ECHO_IMPLS)[number];
/** The pub/sub stacks W3 can run on: raw clients, the Broker interface, and the app path (`client.publish` → `server.subscribe`). */
export const PUBSUB_IMPLS = ['nats', 'redis', 'http', 'natsBroker', 'redisBroker', 'httpBroker', 'natsApp', 'redisApp', 'httpApp'] as const;
export type PubSubImpl = (typeof PUBSUB_IMPLS)[number];
/** W1 small unary, W2 16 KiB unary, W4 server stream. */
export type EchoWorkload = 'W1' | 'W2' | 'W4';

/** What a child process is asked to do (passed as JSON in argv[2]). */
export type ChildSpec =
  | { role: 'echo-server'; impl: EchoImpl; service: string }
  | {
      role: 'echo-client';
      impl: EchoImpl;
      address: string;
      /** The service name the server registered under (unique per row, so no other run's nodes are seen). */
      service: string;
      workload: EchoWorkload;
      concurrency: number;
      warmupMs: number;
      measureMs: number;
      /** Messages per stream for W4. */
      streamCount: number;
    }
  | { role: 'sub'; impl: PubSubImpl; topic: string; count: number; limitMs: number }
  | {
      role: 'pub';
      impl: PubSubImpl;
      topic: string;
      count: number;
      limitMs: number;
      warmupMs: number;
      subAddress: string;
      subSeed: unknown;
    };

/** What the parent sends to a running child. */
export type ToChild = { type: 'rss' } | { type: 'cpu' } | { type: 'stop' } | { type: 'finish'; published: number };

/** What a child reports. Times are epoch milliseconds with sub-ms precision. */
export type FromChild =
  | { type: 'ready'; address: string; seed?: unknown }
  | { type: 'rss'; rss: number }
  /** CPU time (user + system) the process used so far, µs, and when it was read (ms, the child's performance.now()). */
  | { type: 'cpu'; us: number; at: number }
  /** An echo client's measured window opened. */
  | { type: 'window' }
  | { type: 'stopped'; rss: number }
  | { type: 'result'; load: LoadResult; rss: number }
  | { type: 'published'; published: number; failed: number; unconfirmed: number; startAt: number; endAt: number; rss: number }
  | { type: 'received'; received: number; firstAt: number; lastAt: number; rss: number }
  | { type: 'error'; message: string };

/** Payload of W2: 16 KiB of text. */
export const BIG_PAYLOAD_BYTES = 16 * 1024;

/** Checks the role and stack of a spec read from argv, naming what is wrong. */
export function parseSpec(json: string): ChildSpec {
  const v = JSON.parse(json) as { role?: unknown; impl?: unknown };
  const impls: readonly unknown[] =
    v.role === 'echo-server' || v.role === 'echo-client' ? ECHO_IMPLS : v.role === 'sub' || v.role === 'pub' ? PUBSUB_IMPLS : [];
  if (impls.length === 0) throw badRequest(`unknown bench child role ${JSON.stringify(v.role)}`);
  if (!impls.includes(v.impl)) throw badRequest(`unknown stack ${JSON.stringify(v.impl)} for role ${String(v.role)}`);
  return v as ChildSpec;
}
