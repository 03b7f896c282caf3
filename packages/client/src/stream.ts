import { canceled } from '@tsmicro/core';
import type { Selection } from '@tsmicro/selector';
import type { CallScope, Mux, RpcStream } from '@tsmicro/transport/rpc';
import type { CallOptions, Stream } from './client.js';
import type { ResolvedClientOptions } from './options.js';
import type { Pool } from './pool.js';
import { isRetryable } from './resilience/index.js';
import { abortReason, callMetadata, nodesFor, raceAbort, requestHeader, scopeOf } from './scope.js';

/** Connects to a node, retrying connect errors on other nodes (nothing was sent yet, so it is safe). */
async function connect(c: ResolvedClientOptions, pool: Pool, service: string, o: CallOptions, scope: CallScope, name: string) {
  const next = await raceAbort(nodesFor(c, service, o), scope, name);
  const retries = o.retries ?? c.retries;
  let last: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    let sel: Selection;
    try {
      sel = next();
    } catch (e) {
      throw last ?? e;
    }
    try {
      const mux: Mux = await raceAbort(pool.get(sel.node.address), scope, name);
      return { sel, mux };
    } catch (e) {
      sel.done({ error: e });
      last = e;
      if (scope.aborted || !isRetryable(e, { sent: false })) throw e;
    }
  }
  throw last;
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
  let sel: Selection | undefined;
  let rs: RpcStream | undefined;
  let off: (() => void) | undefined;
  const finish = (error?: unknown) => {
    if (finished) return;
    finished = true;
    off?.();
    scope.dispose();
    sel?.done(error === undefined ? undefined : { error });
  };
  try {
    const codec = c.codecs.get(o.contentType ?? c.contentType);
    const conn = await connect(c, pool, service, o, scope, name);
    sel = conn.sel;
    const opened = conn.mux.open(requestHeader(service, endpoint, codec.contentType, scope.deadline, callMetadata(o)));
    const s = opened.stream;
    rs = s;
    off = scope.onAbort((r) => s.cancel(abortReason(r, name)));
    await raceAbort(opened.written, scope, name);
    return {
      send: (m) => s.send(codec.encode(m)),
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
    rs?.cancel(abortReason(scope.reason ?? e, name));
    finish(e);
    throw scope.aborted ? abortReason(scope.reason, name) : e;
  }
}
