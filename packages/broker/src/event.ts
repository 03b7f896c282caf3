import type { Logger } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import type { Event, Handler } from './broker.js';

/** How one delivery ended: acked, nacked, or neither (autoAck off and the handler never said). */
export type Outcome = 'ack' | 'nack' | 'none';

/**
 * Runs `handler` for one message and settles it exactly once. With `autoAck` the outcome is ack
 * when the handler resolves and nack when it throws; without it, whatever the handler called
 * first (`ack()`/`nack()`), or `none`. A throwing handler is logged, never rethrown: one bad
 * message must not kill the subscription.
 */
export async function runHandler(o: {
  topic: string;
  message: Message;
  handler: Handler;
  autoAck: boolean;
  logger: Logger;
  /** Called once, as soon as the outcome is known (before the handler returns when it acks itself). */
  onSettle?: (outcome: 'ack' | 'nack') => void;
}): Promise<Outcome> {
  let outcome: Outcome = 'none';
  const settle = (v: 'ack' | 'nack') => {
    if (outcome !== 'none') return;
    outcome = v;
    o.onSettle?.(v);
  };
  const event: Event = {
    topic: o.topic,
    message: o.message,
    ack: async () => settle('ack'),
    nack: async () => settle('nack'),
  };
  try {
    await o.handler(event);
    if (o.autoAck) settle('ack');
  } catch (err) {
    o.logger.warn({ err, topic: o.topic }, 'broker: subscriber handler failed');
    if (o.autoAck) settle('nack');
  }
  return outcome;
}
