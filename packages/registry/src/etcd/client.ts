import { isMicroError, loadOptional, serviceUnavailable } from '@tsmicro/core';
import type { Etcd3, IKeyValue, IOptions } from 'etcd3';
import { rangeEnd } from './keys.js';
import type { ResolvedEtcdOptions } from './options.js';

type Etcd3Module = typeof import('etcd3');

/** The few etcd operations the registry needs, each bounded by `timeout` and failing with a `MicroError`. */
export interface EtcdOps {
  /** The loaded client (connecting lazily); throws when etcd3 is not installed. */
  client(): Promise<{ etcd: Etcd3; mod: Etcd3Module }>;
  range(prefix: string): Promise<{ kvs: IKeyValue[]; revision: string }>;
  put(key: string, value: string, lease: string | undefined): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
  deleteKey(key: string): Promise<void>;
  grant(ttlMs: number): Promise<string>;
  /** Renews a lease once; false when etcd no longer knows it (expired or revoked). */
  keepAlive(lease: string): Promise<boolean>;
  revoke(lease: string): Promise<void>;
  /** True for errors that mean etcd could not be reached (worth reconnecting), not a refusal. */
  isConnectionError(e: unknown): boolean;
  /** Closes the client's connections; the next operation connects again. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** Longest single try of an etcd operation; the operation as a whole is bounded by the registry's `timeout`. */
const ATTEMPT_MS = 1500;

export function createEtcdOps(o: ResolvedEtcdOptions): EtcdOps {
  let loaded: Promise<{ etcd: Etcd3; mod: Etcd3Module }> | undefined;
  const where = o.hosts.join(', ');

  function client() {
    loaded ??= loadOptional('etcd3', 'etcdRegistry', (): Promise<Etcd3Module> => import('etcd3')).then((mod) => ({
      mod,
      etcd: new mod.Etcd3({
        ...o.etcd,
        hosts: o.hosts,
        dialTimeout: o.timeout,
        // the registry re-establishes watches itself (with a fresh snapshot), so etcd3's own reconnect
        // timer only has to be short: it must not keep a closed registry's process alive for long
        faultHandling: {
          watchBackoff: fastBackoff,
          host: () => hostBreaker(mod.isRecoverableError),
          ...o.etcd.faultHandling,
        },
      }),
    }));
    return loaded;
  }

  /**
   * Runs `fn` until it succeeds or `timeout` passes, retrying failures that may pass (no member reachable,
   * leader election after a member failed) with a short growing pause; other errors fail at once.
   */
  async function bounded<T>(what: string, fn: (etcd: Etcd3, deadline: Date) => Promise<T>): Promise<T> {
    const { etcd, mod } = await client();
    const end = Date.now() + o.timeout;
    const deadline = new Date(end);
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        expired = true;
        reject(serviceUnavailable(`etcd registry: no answer from etcd at ${where} to ${what} within ${o.timeout} ms`));
      }, o.timeout);
    });
    const transient = (e: unknown) => e instanceof Error && (mod.isRecoverableError(e) || 'isBrokenCircuitError' in e);
    const attempt = async (): Promise<T> => {
      for (let pause = 25; ; pause = Math.min(pause * 2, 400)) {
        // Each try gets a slice of the time: during a leader election etcd holds a request until its own
        // (~7 s) timeout, so one try with the whole deadline would outlast an election that is already over.
        const tryEnd = Math.min(end, Date.now() + ATTEMPT_MS);
        try {
          return await fn(etcd, tryEnd < end ? new Date(tryEnd) : deadline);
        } catch (e) {
          const sliceRanOut = tryEnd < end && Date.now() >= tryEnd - 5;
          if (expired || !(transient(e) || sliceRanOut) || Date.now() + pause >= end) throw e;
          await new Promise((r) => setTimeout(r, pause));
        }
      }
    };
    const work = attempt();
    work.catch(() => undefined); // a call that loses the race may still fail later
    try {
      return await Promise.race([work, expiry]);
    } catch (e) {
      if (isMicroError(e)) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw serviceUnavailable(`etcd registry: ${what} failed at ${where}: ${msg}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    client,
    range: (prefix) =>
      bounded(`read ${prefix}`, async (etcd, deadline) => {
        const res = await etcd.kv.range({ key: Buffer.from(prefix), range_end: rangeEnd(prefix) }, { deadline });
        return { kvs: res.kvs, revision: res.header.revision };
      }),
    put: (key, value, lease) =>
      bounded(`put ${key}`, async (etcd, deadline) => {
        await etcd.kv.put({ key: Buffer.from(key), value: Buffer.from(value), ...(lease ? { lease } : {}) }, { deadline });
      }),
    deletePrefix: (prefix) =>
      bounded(`delete ${prefix}`, async (etcd, deadline) => {
        await etcd.kv.deleteRange({ key: Buffer.from(prefix), range_end: rangeEnd(prefix) }, { deadline });
      }),
    deleteKey: (key) =>
      bounded(`delete ${key}`, async (etcd, deadline) => {
        await etcd.kv.deleteRange({ key: Buffer.from(key) }, { deadline });
      }),
    grant: (ttlMs) =>
      bounded('grant a lease', async (etcd, deadline) => {
        // etcd leases count whole seconds (and etcd raises very short ones to its minimum)
        const TTL = Math.max(1, Math.ceil(ttlMs / 1000));
        for (;;) {
          try {
            const res = await etcd.leaseClient.leaseGrant({ TTL, ID: safeLeaseId() }, { deadline });
            return res.ID;
          } catch (e) {
            if (!(e instanceof Error && /lease already exists/.test(e.message))) throw e;
          }
        }
      }),
    keepAlive: (lease) =>
      bounded(`renew lease ${lease}`, async (etcd) => {
        const stream = await etcd.leaseClient.leaseKeepAlive();
        try {
          const res = await new Promise<{ TTL: string }>((resolve, reject) => {
            stream.on('data', resolve);
            stream.on('error', reject);
            stream.write({ ID: lease });
          });
          return Number(res.TTL) > 0;
        } finally {
          stream.cancel();
        }
      }),
    revoke: (lease) =>
      bounded(`revoke lease ${lease}`, async (etcd, deadline) => {
        try {
          await etcd.leaseClient.leaseRevoke({ ID: lease }, { deadline });
        } catch (e) {
          if (!(e instanceof Error && /lease not found/.test(e.message))) throw e;
        }
      }),
    isConnectionError: (e) => isMicroError(e) && e.code === 503,
    async release() {
      const l = loaded;
      loaded = undefined;
      if (!l) return;
      try {
        (await l).etcd.close();
      } catch {
        // etcd3 missing: nothing was opened
      }
    },
    async close() {
      const l = loaded;
      if (!l) return;
      try {
        (await l).etcd.close();
      } catch {
        // etcd3 missing: nothing was opened
      }
    },
  };
}

/**
 * A lease id we choose, below 2^53: ids etcd picks use all 64 bits, and wherever protobufjs cannot load
 * `long` (bundlers, or `--conditions import` on Node 20.19+, as under vitest) they lose precision as
 * numbers, so renewing them hits "lease not found".
 */
function safeLeaseId(): string {
  return String(1 + Math.floor(Math.random() * (Number.MAX_SAFE_INTEGER - 1)));
}

interface Backoff {
  readonly duration: number;
  next(): Backoff;
}
const fastBackoff: Backoff = { duration: 100, next: () => fastBackoff };

/** Its own class, so etcd3 passes it on as is (it rewrites plain `Error`s) and it stays recognisable as transient. */
class HostSkipped extends Error {
  readonly isBrokenCircuitError = true;
  constructor() {
    super('etcd host skipped after repeated failures');
  }
}

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;

/**
 * Skips a host for 1 s after 3 straight connection failures, so calls go to the other members at once.
 * etcd3's default breaker stays open 5 s, which with one host means 5 s of failures after etcd is back.
 */
function hostBreaker(isRecoverable: (e: Error) => boolean, openMs = 1000): HostPolicy {
  let failures = 0;
  let openUntil = 0;
  const noListeners = () => ({ dispose() {} });
  return {
    _altReturn: undefined as never,
    onSuccess: noListeners,
    onFailure: noListeners,
    async execute(fn, signal) {
      if (Date.now() < openUntil) throw new HostSkipped();
      try {
        const result = await fn({ signal: signal ?? new AbortController().signal });
        failures = 0;
        return result;
      } catch (e) {
        if (e instanceof Error && isRecoverable(e) && ++failures >= 3) {
          failures = 0;
          openUntil = Date.now() + openMs;
        }
        throw e;
      }
    },
  };
}
