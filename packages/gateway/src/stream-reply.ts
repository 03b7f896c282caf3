import type { Stream } from '@tsmicro/client';
import { toMicroError } from '@tsmicro/core';
import type { HandlerKind } from '@tsmicro/transport/rpc';
import { replyWith } from './compress.js';
import { errorResponse, GATEWAY_ID } from './http-error.js';
import { type HeaderBag, header } from './request-headers.js';
import { SSE_HEADERS, sseEvent, streamBody, wantsSse } from './stream-body.js';

const decoder = new TextDecoder();
const errorJson = (e: unknown) => {
  const m = toMicroError(e, GATEWAY_ID);
  return JSON.stringify({ id: m.id, code: m.code, detail: m.detail, status: m.status });
};

/**
 * The reply of a stream call. The first message is awaited before answering, so an error the
 * service raises at once (unknown endpoint, 401…) still gets its HTTP status. A client stream's
 * single reply is plain JSON. Later messages: NDJSON lines (an error mid-stream is a last line
 * `{"error":{…}}`), or server-sent events (`data:` per message, `event: error`, then `event: end`).
 */
export async function streamedReply(
  s: Stream<Uint8Array, Uint8Array>,
  kind: HandlerKind,
  h: HeaderBag,
  echo: Record<string, string>,
  compressAbove: number,
): Promise<Response> {
  const it = s[Symbol.asyncIterator]();
  let first: IteratorResult<Uint8Array>;
  try {
    first = await it.next();
  } catch (e) {
    await s.close();
    return errorResponse(e, echo);
  }
  if (kind === 'client-stream') {
    await s.close();
    const body = first.done ? new Uint8Array(0) : first.value;
    return replyWith(body, header(h, 'accept-encoding'), compressAbove, { 'content-type': 'application/json', ...echo });
  }
  const sse = wantsSse(h);
  async function* messages(): AsyncGenerator<string | Uint8Array, void> {
    try {
      for (let r = first; !r.done; r = await it.next()) {
        yield sse ? sseEvent(decoder.decode(r.value)) : Buffer.concat([r.value, Buffer.from('\n')]);
      }
      if (sse) yield sseEvent('{}', 'end');
    } catch (e) {
      yield sse ? sseEvent(errorJson(e), 'error') : `{"error":${errorJson(e)}}\n`;
    } finally {
      await s.close();
    }
  }
  const headers = sse ? { ...SSE_HEADERS, ...echo } : { 'content-type': 'application/x-ndjson', ...echo };
  return new Response(streamBody(messages()), { headers });
}
