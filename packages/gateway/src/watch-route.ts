import type { GatewayDeps } from './deps.js';
import { aborted, liveSignal, withKeepAlive } from './live.js';
import { describeAll } from './registry-routes.js';
import { SSE_HEADERS, sseEvent, streamBody } from './stream-body.js';

/** Ms between keep-alive comments on an idle event stream. */
const KEEPALIVE_MS = 15_000;
/** Ms to gather a burst of registry changes into one snapshot. */
const SETTLE_MS = 50;

/**
 * `GET /api/watch`: server-sent `services` events, each the full list `GET /api/services` gives,
 * first at once and then after every registry change (a burst of changes gives one event).
 * The dashboard renders each as it comes: no polling, no manual refresh.
 */
export function watchRoute(d: GatewayDeps, req: Request): Response {
  const signal = liveSignal(req.signal, d.closing);
  const changes = d.source.watch({ signal })[Symbol.asyncIterator]();
  const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
  async function* events(): AsyncGenerator<string, void> {
    try {
      yield sseEvent(JSON.stringify(await describeAll(d)), 'services');
      for await (const change of withKeepAlive(() => changes.next(), signal, KEEPALIVE_MS)) {
        if (change === undefined) {
          yield ': keep-alive\n\n';
          continue;
        }
        await Promise.race([settle(), aborted(signal)]);
        if (signal.aborted) return;
        yield sseEvent(JSON.stringify(await describeAll(d)), 'services');
      }
    } finally {
      await changes.return?.();
    }
  }
  return new Response(streamBody(events()), { headers: SSE_HEADERS });
}
