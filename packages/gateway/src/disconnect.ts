import { setMaxListeners } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { canceled } from '@tsmicro/core';
import { GATEWAY_ID } from './http-error.js';

/** The signal that aborts when a request's caller goes away. */
export type CallerGone = (req: Request | undefined, incoming: IncomingMessage | undefined) => AbortSignal | undefined;

const gone = () => canceled('the HTTP caller closed its connection before the answer', { id: GATEWAY_ID });

/**
 * One AbortSignal per HTTP connection, aborted when the connection closes, instead of one per
 * request (an AbortController per request cost about 2 % of the gateway's CPU in a profile). Over
 * HTTP/1.1 a caller can only abandon a request by closing its connection, so the two are the same;
 * a call that already ended has dropped its listener. Requests without a socket (`gw.fetch`) use
 * their own signal, when there is one.
 * @example const signal = callerGone(req, c.env.incoming)
 */
export function callerGoneSignals(): CallerGone {
  const byConnection = new WeakMap<object, AbortSignal>();
  return (req, incoming) => {
    const socket = incoming?.socket;
    if (!socket) return req?.signal;
    let signal = byConnection.get(socket);
    if (!signal) {
      if (socket.destroyed) return AbortSignal.abort(gone());
      const ac = new AbortController();
      // Each call in flight listens until it ends; a pipelining caller may have more than Node's default 10.
      setMaxListeners(0, ac.signal);
      socket.once('close', () => ac.abort(gone()));
      signal = ac.signal;
      byConnection.set(socket, signal);
    }
    return signal;
  };
}
