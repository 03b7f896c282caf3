import type { EchoImpl, EchoWorkload, PubSubImpl } from './protocol.js';

/** One line of the results table, before it runs. */
export type Row =
  | { kind: 'echo'; id: EchoWorkload | 'OBS'; label: string; impl: EchoImpl; concurrency: number }
  | { kind: 'pubsub'; id: 'W3'; label: string; impl: PubSubImpl }
  | { kind: 'soak'; id: 'SOAK'; label: string; impl: EchoImpl; concurrency: number };

/** One line of the results table, after it ran. */
export interface RowResult {
  row: Row;
  /** Calls/s (W1, W2, soak) or messages/s (W3, W4); undefined when the row could not run. */
  rate?: number;
  unit: 'calls/s' | 'msgs/s';
  /** Microseconds; absent where latency is not per call (streams, pub/sub). */
  p50?: number;
  p99?: number;
  /** Resident set size at the end, bytes. */
  rssServer?: number;
  rssClient?: number;
  /** Share of one core the server and the client process used over the measured window (echo rows). */
  cpuServer?: number;
  cpuClient?: number;
  /** Rate divided by the ceiling row's rate of the same workload (rows run in rounds: the median of the per-round ratios). */
  ratio?: number;
  /** Every round's result, when the row ran in interleaved rounds. */
  rounds?: readonly RowResult[];
  /** Lost messages, RSS growth, errors or "not available yet". */
  note: string;
}

/**
 * Ceiling first: a tsmicro row's ratio needs its raw row already measured. W1 and W2 lead with the app
 * path (`service-name`: createService calling by name), then the same caller by address, then the bare
 * createClient/createServer pair on a direct address.
 */
const ECHO_STACKS: readonly EchoImpl[] = ['raw', 'service-name', 'service-address', 'tsmicro-json', 'tsmicro-msgpack'];
/** W4 streams on the bare pair only. */
const STREAM_STACKS: readonly EchoImpl[] = ['raw', 'tsmicro-json', 'tsmicro-msgpack'];
/** Each raw client is the ceiling of what follows it: the app path (client.publish → server.subscribe), then the Broker interface. */
const PUBSUB_STACKS: readonly PubSubImpl[] = [
  'nats',
  'natsApp',
  'natsBroker',
  'redis',
  'redisApp',
  'redisBroker',
  'http',
  'httpApp',
  'httpBroker',
];

/** OBS: W1 c=64 on tsmicro-json with observability off (its ceiling), then on with an OpenTelemetry SDK registered (the headline), then on without one. */
const OBS_STACKS: readonly EchoImpl[] = ['tsmicro-json', 'tsmicro-obs-sdk', 'tsmicro-obs'];

/** GRPC: W1 c=1, c=64 and W4 over gRPC; grpc-js ↔ grpc-js is the baseline of each (docs/grpc.md). */
const GRPC_STACKS: readonly EchoImpl[] = ['grpcjs', 'tsmicro-grpc', 'tsmicro-grpc-proto', 'grpcjs-tsmicro'];
/** The baseline the gRPC rows are compared with. */
export const GRPC_BASELINE: EchoImpl = 'grpcjs';

/** Every workload id the CLI accepts. */
export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'SOAK', 'OBS', 'GRPC'] as const;
export type WorkloadId = (typeof WORKLOADS)[number];

/** The rows of the selected workloads, ceilings first within each workload. */
export function planRows(selected: ReadonlySet<WorkloadId>, soakImpl: EchoImpl = 'tsmicro-json'): Row[] {
  const rows: Row[] = [];
  const echo = (id: EchoWorkload, label: string, concurrency: number) => {
    for (const impl of id === 'W4' ? STREAM_STACKS : ECHO_STACKS) rows.push({ kind: 'echo', id, label, impl, concurrency });
  };
  if (selected.has('W1')) {
    echo('W1', 'W1 echo c=1', 1);
    echo('W1', 'W1 echo c=64', 64);
  }
  if (selected.has('W2')) echo('W2', 'W2 16KiB c=64', 64);
  if (selected.has('W4')) echo('W4', 'W4 stream 100k', 1);
  if (selected.has('W3')) for (const impl of PUBSUB_STACKS) rows.push({ kind: 'pubsub', id: 'W3', label: 'W3 pub/sub 200k', impl });
  if (selected.has('OBS'))
    for (const impl of OBS_STACKS) rows.push({ kind: 'echo', id: 'OBS', label: 'W1 c=64 obs on/off', impl, concurrency: 64 });
  if (selected.has('GRPC'))
    for (const [id, label, concurrency] of [
      ['W1', 'gRPC W1 c=1', 1],
      ['W1', 'gRPC W1 c=64', 64],
      ['W4', 'gRPC W4 stream 100k', 1],
    ] as const)
      for (const impl of GRPC_STACKS) rows.push({ kind: 'echo', id, label, impl, concurrency });
  if (selected.has('SOAK')) rows.push({ kind: 'soak', id: 'SOAK', label: 'soak W1 c=64', impl: soakImpl, concurrency: 64 });
  return rows;
}

/**
 * The row a row is compared with: same workload and concurrency, raw stack; for OBS, the same
 * run's tsmicro-json row without observability (so its ratio is the on/off ratio).
 */
export function ceilingOf(row: Row, done: readonly RowResult[]): RowResult | undefined {
  if (row.kind === 'soak') return undefined;
  const grpc = row.kind === 'echo' && GRPC_STACKS.includes(row.impl);
  const rawImpl =
    row.kind === 'pubsub' ? row.impl.replace(/(Broker|App)$/, '') : row.id === 'OBS' ? 'tsmicro-json' : grpc ? GRPC_BASELINE : 'raw';
  if (rawImpl === row.impl) return undefined;
  return done.find((r) => r.row.kind === row.kind && r.row.label === row.label && r.row.impl === rawImpl && r.rate !== undefined);
}

/** The by-name row is also compared with the same caller by address, from the same rounds (the cost of naming alone). */
export function peerOf(row: Row, done: readonly RowResult[]): RowResult | undefined {
  if (row.impl !== 'service-name') return undefined;
  return done.find((r) => r.row.label === row.label && r.row.impl === 'service-address' && r.rate !== undefined);
}
