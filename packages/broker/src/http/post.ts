import { type Agent, request } from 'node:http';
import { canceled, decodeError, isMicroError, type MicroError, serviceUnavailable, timeout } from '@tsmicro/core';
import { parseAddress } from './address.js';
import { ENVELOPE_TYPE } from './envelope.js';

/** How one delivery attempt ended. `retry` says whether another member of a queue group may take it. */
export type PostResult = { ok: true; status: number } | { ok: false; error: MicroError; retry: boolean };

/** The URL path of a subscription on its broker's endpoint. */
export function subscriptionPath(id: string): string {
  return `/sub/${encodeURIComponent(id)}`;
}

interface PostOptions {
  agent: Agent;
  address: string;
  id: string;
  body: Uint8Array;
  timeout: number;
  signal: AbortSignal | undefined;
}

/**
 * POSTs one encoded envelope and reads the answer: 2xx acked, 500 nacked (handler failed),
 * 404/503 gone or closing, 413/400 refused. Never rejects: failures are results.
 */
export async function post(o: PostOptions): Promise<PostResult> {
  const r = await attempt(o);
  // A kept-alive socket the subscriber closed while idle fails before anything was handled: try once on a new one.
  if (r !== 'stale-socket') return r;
  const again = await attempt(o, true);
  return again === 'stale-socket'
    ? { ok: false, error: serviceUnavailable(`http broker: subscriber ${o.id} reset the connection`), retry: true }
    : again;
}

// A timer and, only when the publish has a signal, one abort listener: no AbortController and no
// signal handed to http.request per delivery (that machinery cost more than the request's own JS).
function attempt(o: PostOptions, fresh = false): Promise<PostResult | 'stale-socket'> {
  const { host, port } = parseAddress(o.address);
  const where = `subscriber ${o.id} at ${o.address}`;
  const parent = o.signal;
  const cancelled = (reason: unknown) =>
    isMicroError(reason) ? reason : canceled(`http broker: delivery to ${where} cancelled`, { cause: reason });
  if (parent?.aborted) return Promise.resolve({ ok: false, error: cancelled(parent.reason), retry: false });
  return new Promise<PostResult | 'stale-socket'>((resolve) => {
    let done = false;
    /** Why the request was cut short (deadline or the publish's signal), once it was. */
    let stopped: MicroError | undefined;
    const stop = (error: MicroError) => {
      if (done || stopped !== undefined) return;
      stopped = error;
      req.destroy(error);
    };
    const onAbort = () => stop(cancelled(parent?.reason));
    const timer = setTimeout(() => stop(timeout(`http broker: ${where} did not answer within ${o.timeout} ms`)), o.timeout);
    parent?.addEventListener('abort', onAbort, { once: true });
    const finish = (r: PostResult | 'stale-socket') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const req = request({
      agent: o.agent,
      host,
      port,
      method: 'POST',
      path: subscriptionPath(o.id),
      headers: { 'content-type': ENVELOPE_TYPE, 'content-length': String(o.body.length) },
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        res.resume();
        res.on('end', () => finish({ ok: true, status }));
        res.on('error', () => finish({ ok: true, status }));
        return;
      }
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      const fail = () => {
        const error = decodeError(Buffer.concat(parts).toString('utf8'));
        // A refusal (too large, malformed) would be refused by every member alike; anything else may work elsewhere.
        finish({ ok: false, error, retry: status !== 413 && status !== 400 });
      };
      res.on('end', fail);
      res.on('error', fail);
    });
    req.on('error', (err) => {
      // The subscriber may still be handling it: another member must not get it too.
      if (stopped !== undefined) return finish({ ok: false, error: stopped, retry: false });
      const code = (err as NodeJS.ErrnoException).code;
      if (!fresh && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) return finish('stale-socket');
      finish({ ok: false, error: serviceUnavailable(`http broker: cannot reach ${where}: ${err.message}`, { cause: err }), retry: true });
    });
    // One write of the whole body: several small writes can stall on Nagle + delayed ACK.
    req.end(o.body);
  });
}
