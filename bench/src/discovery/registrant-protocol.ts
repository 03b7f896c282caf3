import type { ServiceRecord } from '@tsmicro/registry';
import type { RegistrySpec } from './backends.js';

/** argv[2] of the registrant child, as JSON. */
export interface RegistrantSpec {
  registry: RegistrySpec;
  service: string;
  /** Ttl (ms) of each registration. */
  ttl: number;
}

/** Parent → registrant. `ping` answers with the child's clock, to relate the two processes' clocks. */
export type ToRegistrant = { type: 'ping' } | { type: 'register' | 'deregister'; round: number } | { type: 'close' };

/** Registrant → parent. `at` is the child's `performance.now()` just before the registry call. */
export type FromRegistrant =
  | { type: 'ready' }
  | { type: 'pong'; now: number }
  | { type: 'done'; op: 'register' | 'deregister'; round: number; at: number }
  | { type: 'error'; message: string };

/** The record registered in round `round`: one node whose id names the round. */
export function roundRecord(service: string, round: number): ServiceRecord {
  return {
    name: service,
    version: '1.0.0',
    metadata: {},
    endpoints: [{ name: 'Bench.echo', metadata: {} }],
    nodes: [{ id: `round-${round}`, address: `127.0.0.1:${20_000 + (round % 1000)}`, metadata: {} }],
  };
}
