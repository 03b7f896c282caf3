import { canceled } from '@tsmicro/core';
import type { RpcStream } from '@tsmicro/transport/rpc';
import { abortReason, raceAbort } from './abort.js';
import { CallPlan } from './call-plan.js';
import type { CallOptions, Stream } from './client.js';
import { encodeRequest } from './encode.js';
import { type Outcome, withRetries } from './retry.js';
import { type Admitted, type ClientRuntime, settle } from './runtime.js';

/**
 * Opens the call on a node, retrying on other nodes while nothing but the opening frame was at
 * stake: connect errors, an open circuit, a failed write. Once the stream is returned, a failure
 * reaches the caller (messages may have been processed).
 */
async function open(plan: CallPlan): Promise<{ admitted: Admitted; stream: RpcStream }> {
  const { rt, o, scope, name } = plan;
  plan.next = await plan.select(undefined, true);
  const attempt = async (a: Admitted): Promise<Outcome<RpcStream>> => {
    let s: RpcStream | undefined;
    try {
      const mux = await raceAbort(rt.pool.get(a.sel.node.address), scope, name);
      const opened = mux.open(plan.header(), o.compression === undefined ? {} : { encoding: o.compression });
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
  rt: ClientRuntime,
  service: string,
  endpoint: string,
  o: CallOptions,
): Promise<Stream<Req, Res>> {
  // Streams live as long as their caller wants: only an explicit timeout or an inherited deadline bounds them.
  const plan = new CallPlan(rt, service, endpoint, o, o.timeout, Date.now());
  const { scope, name, codec } = plan;
  let finished = false;
  let admitted: Admitted | undefined;
  let release: (() => void) | undefined;
  let off: (() => void) | undefined;
  // The node, the circuit and the bulkhead slot are held for the stream's whole life.
  const finish = (error?: unknown) => {
    if (finished) return;
    finished = true;
    off?.();
    plan.end();
    if (admitted) settle(admitted, error);
    release?.();
  };
  try {
    const bh = rt.bulkheadOf(service);
    if (bh) release = await bh.acquire({ signal: scope.signal });
    rt.retryBudget?.onCall();
    const opened = await open(plan);
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
