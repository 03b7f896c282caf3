import type { Codec } from '@tsmicro/codec';
import { badRequest } from '@tsmicro/core';
import type { Selection } from '@tsmicro/selector';
import type { CallOptions } from './client.js';
import type { ResolvedClientOptions } from './options.js';
import type { Pool } from './pool.js';
import { isRetryable } from './resilience/index.js';
import { abortReason, callMetadata, nodesFor, raceAbort, requestHeader, scopeOf } from './scope.js';

/** Picks the next node, preferring one not tried yet (the selector's Next already yields distinct nodes). */
function pick(next: () => Selection, tried: ReadonlySet<string>): Selection {
  const s = next();
  if (!tried.has(s.node.id)) return s;
  try {
    const other = next();
    s.done();
    return other;
  } catch {
    return s;
  }
}

/** One unary call with retries on other nodes. */
export async function unaryCall(
  c: ResolvedClientOptions,
  pool: Pool,
  service: string,
  endpoint: string,
  req: unknown,
  o: CallOptions,
): Promise<unknown> {
  const name = `${service}.${endpoint}`;
  const scope = scopeOf(name, o.timeout ?? c.timeout, o);
  try {
    const codec: Codec = c.codecs.get(o.contentType ?? c.contentType);
    const body = codec.encode(req);
    const md = callMetadata(o);
    const next = await raceAbort(nodesFor(c, service, o), scope, name);
    const retries = o.retries ?? c.retries;
    const tried = new Set<string>();
    let last: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      let sel: Selection;
      try {
        sel = pick(next, tried);
      } catch (e) {
        throw last ?? e;
      }
      tried.add(sel.node.id);
      let sent = false;
      try {
        const mux = await raceAbort(pool.get(sel.node.address), scope, name);
        const { stream, written } = mux.open(requestHeader(service, endpoint, codec.contentType, scope.deadline, md), { body });
        const off = scope.onAbort((r) => stream.cancel(abortReason(r, name)));
        try {
          await written;
          sent = true;
          const res = await stream.recv();
          if (res === undefined) throw badRequest(`${name} answered without a response message`);
          sel.done();
          return codec.decode(res);
        } finally {
          off();
        }
      } catch (e) {
        sel.done({ error: e });
        last = scope.aborted ? abortReason(scope.reason, name) : e;
        if (scope.aborted || !isRetryable(e, { sent })) throw last;
        c.logger.debug({ service, endpoint, node: sel.node.id, attempt, err: String(e) }, 'retrying on another node');
      }
    }
    throw last;
  } finally {
    scope.dispose();
  }
}
