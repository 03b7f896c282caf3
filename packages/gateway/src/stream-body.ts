import { type HeaderBag, header } from './request-headers.js';

const encoder = new TextEncoder();

/**
 * A response body pulled from an async generator: one chunk per message, written when it is made
 * (no buffering), and the generator's `finally` runs when the caller goes away (cancel).
 * @example new Response(streamBody(lines()), { headers: { 'content-type': 'application/x-ndjson' } })
 */
export function streamBody(gen: AsyncGenerator<string | Uint8Array, void>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const r = await gen.next();
      if (r.done) ctrl.close();
      else ctrl.enqueue(typeof r.value === 'string' ? encoder.encode(r.value) : r.value);
    },
    async cancel() {
      await gen.return(undefined);
    },
  });
}

/** One server-sent event; `data` may span lines (each gets its own `data:` field, as the format asks). */
export function sseEvent(data: string, event?: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`;
  return `${head}data: ${data.replace(/\r?\n/g, '\ndata: ')}\n\n`;
}

/** Headers of an event stream: no caching, no proxy buffering, so each event arrives when sent. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const;

/** Whether the caller asked for server-sent events rather than NDJSON. */
export const wantsSse = (h: HeaderBag) => (header(h, 'accept') ?? '').includes('text/event-stream');
