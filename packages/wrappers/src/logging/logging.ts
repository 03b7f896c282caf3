import type { CallWrapper, StreamWrapper } from '@tsmicro/client';
import type { HandlerWrapper, SubscriberWrapper } from '@tsmicro/server';
import { observeCall, observeStream } from '../internal/observe-client.js';
import { observeHandler, observeSubscriber } from '../internal/observe-server.js';
import { type LoggingOptions, LogPart, requestIdKey } from './log-part.js';

export { type LoggingOptions, requestIdKey };

/** Logging wrappers for a server (handlers, subscribers) and a client (calls, streams). */
export interface Logging {
  handler: HandlerWrapper;
  subscriber: SubscriberWrapper;
  call: CallWrapper;
  stream: StreamWrapper;
}

/**
 * One structured line per call, stream, handled call and handled message: service, endpoint,
 * node (when known), request id, duration in ms and code. Success at `successLevel` (sampled),
 * 4xx at warn, 5xx at error. Metadata other than the request id is never logged (it may hold tokens).
 * The client wrapper creates `x-request-id` when absent; the server wrapper adds one to
 * `ctx.metadata` when absent, so calls made with `{ ctx }` carry it downstream.
 * @example const log = logging({ logger, sampleSuccess: 0.1 }); createService({ name, wrappers: { handler: [log.handler], call: [log.call] } })
 */
export function logging(o: LoggingOptions = {}): Logging {
  const parts = { log: new LogPart(o) };
  return { handler: observeHandler(parts), subscriber: observeSubscriber(parts), call: observeCall(parts), stream: observeStream(parts) };
}
