import { canceled } from '@tsmicro/core';
import type { CallScope, RpcStream } from '@tsmicro/transport/rpc';
import type { CallOptions, Stream } from './client.js';
import { encodeRequest } from './encode.js';
import type { ResolvedClientOptions } from './options.js';
import type { Pool } from './pool.js';
import { type Admitted, type Outcome, type RetryPlan, settle, withRetries } from './retry.js';
import { abortReason, callMetadata, nodesFor, raceAbort, requestHeader, scopeOf, selectFor } from './scope.js';

/**
 * Opens the call on a node, retrying on other nodes while nothing but the opening frame was at
 * stake: connect errors, an open circuit, a failed write. Once the stream is returned, a failure
 * reaches the caller (messages may have been processed).
 */
async function open(
  c: ResolvedClientOptions,
  pool: Pool,
  service: string,
  endpoint: string,
  o: CallOptions,
  scope: CallScope,
  contentType: string,
): Promise<{ admitted: Admitted; stream: RpcStream }> {
  const name = `${service}.${endpoint}`;
  const md = callMetadata(o);
  const next = await raceAbort(nodesFor(c, service, o, { ...selectFor(c, o, undefined, md), stream: true }), scope, name);
  const idempotent = o.idempotent ?? c.idempotent(service, endpoint);
  const plan: RetryPlan = { c, next, service, endpoint, name, scope, retries: o.retries ?? c.retries, idempotent };
  const attempt = async (a: Admitted): Promise<Outcome<RpcStream>> => {
    let s: RpcStream | undefined;
    try {
      const mux = await raceAbort(pool.get(a.sel.node.address), scope, name);
      const opened = mux.open(
        requestHeader(service, endpoint, contentType, scope.deadline, md),
        o.compression === undefined ? {} : { encoding: o.compression },
      );
      s = opened.stream;
      await raceAbort(opened.written, scope, name);
      return { ok: true, value: s };
    } catch (error) {
      s?.cancel(abortReason(scope.reason ?? error, name));
      return { ok: false, error, sent: false };
    }
  };
  const { value, admitted } = await withRetries(plan, attempt);
  return { admitted, stream: value };
}

/** Opens a stream call (server, client or bidi): the request frame goes out before this resolves. */
export async function openStream<Req, Res>(
  c: ResolvedClientOptions,
  pool: Pool,
  service: string,
  endpoint: string,
  o: CallOptions,
): Promise<Stream<Req, Res>> {
  const name = `${service}.${endpoint}`;
  // Streams live as long as their caller wants: only an explicit timeout or an inherited deadline bounds them.
  const scope = scopeOf(name, o.timeout, o);
  let finished = false;
  let admitted: Admitted | undefined;
  let release: (() => void) | undefined;
  let off: (() => void) | undefined;
  // The node, the circuit and the bulkhead slot are held for the stream's whole life.
  const finish = (error?: unknown) => {
    if (finished) return;
    finished = true;
    off?.();
    scope.dispose();
    if (admitted) settle(admitted, error);
    release?.();
  };
  try {
    const codec = c.codecs.get(o.contentType ?? c.contentType);
    const bh = c.bulkheadOf(service);
    if (bh) release = await bh.acquire({ signal: scope.signal });
    c.retryBudget?.onCall();
    const opened = await open(c, pool, service, endpoint, o, scope, codec.contentType);
    admitted = opened.admitted;
    const s = opened.stream;
    off = scope.onAbort((r) => s.cancel(abortReason(r, name)));
    return {
      send: (m) => {
        let body: Uint8Array;
        try {
          body = encodeRequest(codec, m, name);
        } catch (e) {
          return Promise.reject(e);
        }
        return s.send(body);
      },
      closeSend: () => s.end(),
      async close() {
        s.cancel(canceled(`stream ${name} was closed by the caller`));
        finish();
      },
      async *[Symbol.asyncIterator]() {
        let done = false;
        try {
          for (;;) {
            const body = await s.recv();
            if (body === undefined) break;
            yield codec.decode(body) as Res;
          }
          done = true;
          finish();
        } catch (e) {
          done = true;
          finish(e);
          throw e;
        } finally {
          // Leaving the loop early abandons the call: tell the server.
          if (!done) {
            s.cancel(canceled(`stream ${name} was abandoned by the caller`));
            finish();
          }
        }
      },
    };
  } catch (e) {
    finish(e);
    throw scope.aborted ? abortReason(scope.reason, name) : e;
  }
}
