/** How a chaos process finds its peers: mDNS pinned to loopback on a private port, or etcd under a private prefix. */
export type DiscoverySpec = { kind: 'mdns'; port: number } | { kind: 'etcd'; prefix: string };

/** argv[2] of a chaos server process, as JSON. */
export interface ServerSpec {
  discovery: DiscoverySpec;
  /** Ms every unary handler sleeps before answering (0: answer at once). */
  delayMs: number;
  registerTtl: number;
  registerInterval: number;
  gracePeriod: number;
  /** File every execution of the non-idempotent `Chaos.once` appends its id to (synchronously: a SIGKILL cannot lose it). Default: none. */
  executionLog?: string;
}

/** argv[2] of the load-generating client process, as JSON. */
export interface LoadSpec {
  discovery: DiscoverySpec;
  /** Calls kept in flight. */
  concurrency: number;
  /** Of `concurrency`, workers that open streams instead of unary calls (half server-stream, half bidi). */
  streamWorkers: number;
  durationMs: number;
  /** Latency is recorded only for calls starting after this many ms. */
  warmupMs: number;
  /** `default`: the selector's own default, as a client built with no strategy gets it. */
  strategy: 'roundRobin' | 'leastLoaded' | 'default';
  retries: number;
  /** Nodes the client must see before it starts. */
  expectNodes: number;
  /** Ms between resource samples; 0 for none. */
  sampleEveryMs: number;
  /** Of `concurrency`, workers (after the stream workers) that call the non-idempotent `Chaos.once`. Default 0. */
  onceWorkers?: number;
}

/** What the caller saw of the non-idempotent `Chaos.once` calls. */
export interface OnceReport {
  attempted: number;
  succeeded: number;
  failed: number;
  /** Caller-visible failures by message. */
  failures: Record<string, number>;
  /** `Chaos.once` attempts in flight on the marked node when the runner said `mark` (just before the fault). */
  inflightAtMark: number;
}

/** A process's resources at one moment. */
export interface ResourceSample {
  /** Ms since the process started its load (client) or since ready (server). */
  t: number;
  rss: number;
  /** V8 heap in use, bytes; after a full GC when the process runs with --expose-gc. */
  heapUsed: number;
  /** V8 heap committed (grows as V8 enlarges its young generation under allocation pressure), bytes. */
  heapTotal: number;
  /** Memory of Buffers and ArrayBuffers outside the V8 heap, bytes. */
  external: number;
  /** Active resources other than timers (sockets, servers, pipes…). */
  handles: number;
  timers: number;
}

/** Per node address, what the client's selector saw. */
export interface NodeTally {
  /** Attempts actually sent to the node (circuit-breaker refusals excluded). */
  routed: number;
  ok: number;
  failed: number;
  /** Epoch ms of the last attempt routed to the node. */
  lastRouted: number;
  /** Sum of the successful attempts' durations, ms (pick to done). */
  okMs: number;
}

/** The client's final report. */
export interface LoadReport {
  attempted: number;
  succeeded: number;
  failed: number;
  /** Caller-visible failures by message. */
  failures: Record<string, number>;
  /** Failed attempts (retried or not) by kind. */
  attemptErrors: Record<string, number>;
  nodes: Record<string, NodeTally>;
  /** Milliseconds, calls started after warm-up. */
  latency: { count: number; p50: number; p99: number; max: number };
  streams: number;
  startedAt: number;
  endedAt: number;
  /** Successful calls (both kinds) per 100 ms since `startedAt`, by the time they ended. */
  timeline: number[];
  once: OnceReport;
}

export type FromServer =
  | { type: 'ready'; address: string; pid: number }
  | { type: 'sample'; sample: ResourceSample }
  | { type: 'stopped'; leftover: string[] }
  | { type: 'error'; message: string };

export type FromClient =
  | { type: 'ready'; nodes: string[] }
  | { type: 'started'; at: number }
  | { type: 'sample'; sample: ResourceSample }
  | { type: 'nodes'; recent: string[] }
  | { type: 'marked'; at: number; inflight: number }
  | { type: 'result'; report: LoadReport }
  | { type: 'stopped'; leftover: string[] }
  | { type: 'error'; message: string };

export type ToChild =
  | { type: 'sample' }
  | { type: 'nodes'; withinMs: number }
  | { type: 'stop' }
  /**
   * Client: count the `Chaos.once` attempts in flight on `address` now (just before a fault hits it);
   * with `signal`, send it to process `pid` in the same turn, so the count is exact at the fault.
   */
  | { type: 'mark'; address: string; signal?: { pid: number; name: NodeJS.Signals } }
  /** Server: from now on every unary handler sleeps `ms`. */
  | { type: 'delay'; ms: number };

/** Resources that are not timers, and timers, as counted in samples. */
export function sampleResources(t: number): ResourceSample {
  // With --expose-gc (the soak asks for it) garbage is collected first, so what stays is what is held.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const mem = process.memoryUsage();
  const all = process.getActiveResourcesInfo();
  const timers = all.filter((r) => r === 'Timeout' || r === 'Immediate').length;
  return {
    t,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    handles: all.length - timers,
    timers,
  };
}

/** What still keeps the process alive besides the IPC channel, e.g. after stop. */
export function leftoverResources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== 'PipeWrap' && r !== 'TTYWrap');
}
