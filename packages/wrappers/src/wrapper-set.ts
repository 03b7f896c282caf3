import type { CallWrapper, PublishWrapper, StreamWrapper } from '@tsmicro/client';
import type { HandlerWrapper, SubscriberWrapper } from '@tsmicro/server';

/** Wrappers of every kind, in the shape `createService({ wrappers })` takes. */
export interface WrapperSet {
  handler: HandlerWrapper[];
  subscriber: SubscriberWrapper[];
  call: CallWrapper[];
  stream: StreamWrapper[];
  publish: PublishWrapper[];
}

/** One wrapper of some kinds, as `logging()`, `metrics()` and `tracing()` return them. */
export interface WrapperParts {
  handler?: HandlerWrapper;
  subscriber?: SubscriberWrapper;
  call?: CallWrapper;
  stream?: StreamWrapper;
  publish?: PublishWrapper;
}

/**
 * Lists wrappers by kind, keeping argument order: the first part's wrappers are outermost.
 * @example createService({ name: 'a', wrappers: combineWrappers(tracing(), metrics({ registry }), logging()) })
 */
export function combineWrappers(...parts: ReadonlyArray<WrapperParts>): WrapperSet {
  const set: WrapperSet = { handler: [], subscriber: [], call: [], stream: [], publish: [] };
  for (const p of parts) {
    if (p.handler) set.handler.push(p.handler);
    if (p.subscriber) set.subscriber.push(p.subscriber);
    if (p.call) set.call.push(p.call);
    if (p.stream) set.stream.push(p.stream);
    if (p.publish) set.publish.push(p.publish);
  }
  return set;
}
