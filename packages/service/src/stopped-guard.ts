import type { CallWrapper, PublishWrapper, StreamWrapper } from '@tsmicro/client';
import { serviceUnavailable } from '@tsmicro/core';

/** Client wrappers that refuse calls, streams and publishes while the service is stopped. */
export interface StoppedGuard {
  call: CallWrapper;
  stream: StreamWrapper;
  publish: PublishWrapper;
}

/**
 * Outermost client wrappers of a service: while `stopped()` is true, anything sent through `svc.client`
 * fails at once with a 503 that says the service stopped and how to go on, instead of whatever its
 * closed registry or broker would say ("mdns registry closed").
 * @example const guard = stoppedGuard('greeter', () => state === 'stopped')
 */
export function stoppedGuard(service: string, stopped: () => boolean): StoppedGuard {
  const refuse = (what: string) =>
    Promise.reject(
      serviceUnavailable(
        `${what}: service ${service} was stopped; svc.client works again after svc.start() (or use a createClient of your own)`,
        {
          id: service,
        },
      ),
    );
  return {
    call: (next) => (req, o) => (stopped() ? refuse(`cannot call ${req.service}.${req.endpoint}`) : next(req, o)),
    stream: (next) => (req, o) => (stopped() ? refuse(`cannot open a stream to ${req.service}.${req.endpoint}`) : next(req, o)),
    publish: (next) => (req, o) => (stopped() ? refuse(`cannot publish to ${req.topic}`) : next(req, o)),
  };
}
