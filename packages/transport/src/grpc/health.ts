import { readFields } from '@tsmicro/codec';
import { GrpcStatus } from './status.js';
import type { StdCall, StdHandlers } from './std-call.js';
import { ProtoWriter, stringField } from './wire.js';

/** What `grpc.health.v1.Health` reports for the server (and every service it knows). */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** The health state a gRPC server reports: flipped by the service's readiness (ready → SERVING, stopping → NOT_SERVING). */
export interface GrpcHealth {
  readonly status: ServingStatus;
  set(status: ServingStatus): void;
  /** Adds a name a `Check`/`Watch` request may ask about besides `''` (the whole server). */
  addService(name: string): void;
  /** True for `''` and every added name. */
  knows(name: string): boolean;
  /** Runs `fn` on every change; returns the unsubscribe function. */
  onChange(fn: (s: ServingStatus) => void): () => void;
}

/**
 * A health state, SERVING unless told otherwise.
 * @example const health = grpcHealth({ status: 'NOT_SERVING' }); grpcTransport({ health }); health.set('SERVING')
 */
export function grpcHealth(o: { status?: ServingStatus } = {}): GrpcHealth {
  let status: ServingStatus = o.status ?? 'SERVING';
  const names = new Set<string>(['']);
  const fns = new Set<(s: ServingStatus) => void>();
  return {
    get status() {
      return status;
    },
    set(s) {
      if (s === status) return;
      status = s;
      for (const fn of [...fns]) fn(s);
    },
    addService: (n) => void names.add(n),
    knows: (n) => names.has(n),
    onChange(fn) {
      fns.add(fn);
      return () => void fns.delete(fn);
    },
  };
}

/** The `HealthCheckResponse.ServingStatus` enum values. */
const ENUM = { SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;
const response = (v: number) => new ProtoWriter().int(1, v).finish();

/** `/grpc.health.v1.Health/Check`: the status of '' or a known service; NOT_FOUND for another. */
export function healthCheck(health: GrpcHealth, known: (name: string) => boolean): StdHandlers {
  let name: string | undefined;
  return {
    message(body) {
      name = stringField(readFields(body), 1);
    },
    end(call: StdCall) {
      if (name === undefined) return call.finish(GrpcStatus.INVALID_ARGUMENT, 'Check needs a HealthCheckRequest');
      if (!known(name)) return call.finish(GrpcStatus.NOT_FOUND, `unknown service '${name}'`);
      call.send(response(ENUM[health.status]));
      call.finish(GrpcStatus.OK);
    },
  };
}

/** `/grpc.health.v1.Health/Watch`: the status now, then every change, until the client leaves or the server closes. */
export function healthWatch(health: GrpcHealth, known: (name: string) => boolean): StdHandlers {
  let off: (() => void) | undefined;
  return {
    message(body, call) {
      if (off) return;
      const name = stringField(readFields(body), 1);
      if (!known(name)) {
        call.send(response(ENUM.SERVICE_UNKNOWN));
        off = () => {};
        return;
      }
      call.send(response(ENUM[health.status]));
      off = health.onChange((s) => call.send(response(ENUM[s])));
    },
    close() {
      off?.();
    },
  };
}
