import { randomUUID } from 'node:crypto';
import { payloadTooLarge, serviceUnavailable, timeout } from '@tsmicro/core';
import type { JetStreamManager, NatsConnection } from 'nats';
import { cachedNatsHeaders, toNatsHeaders } from './headers.js';
import type { ResolvedNatsOptions } from './options.js';

type Nats = typeof import('nats');

/** How long the answer to "does a stream store this topic?" is trusted. */
const LOOKUP_TTL = 5000;
const LOOKUP_MAX = 10_000;

const noStream = (e: unknown) =>
  /no stream matches|not enabled/i.test(String((e as Error).message)) || (e as { code?: unknown }).code === '503';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a publish that needs no answer returns: one settled promise, shared, so it costs nothing. */
export const SENT: Promise<void> = Promise.resolve();

/**
 * Publishes one message. Where a JetStream stream stores the topic (and `ackedPublish` is on),
 * the publish waits for the stream's ack and retries until `publishTimeout`, with a message id
 * so a retry is never stored twice: a publish that resolved is stored, even across a server
 * restart. Other topics go out as core publishes (at-most-once, no round trip), synchronously:
 * nats.js buffers and flushes on its own, so a core publish awaits nothing. Which topics a
 * stream stores is asked of JetStream and remembered; an answer older than a few seconds is
 * still used while a fresh one is fetched in the background, so a steady publisher never
 * stalls on the lookup and its messages keep their order.
 */
export function publisher(nats: Nats, o: ResolvedNatsOptions, address: string) {
  /** `stale` is set by a timer, so a publish reads no clock. */
  const stored = new Map<string, { stream: boolean; stale: boolean }>();
  const coreHeaders = cachedNatsHeaders(nats.headers);
  /** Lookups under way, shared by every publish that needs the answer (which keeps them in order). */
  const asking = new Map<string, Promise<boolean>>();
  /** Bumped by `forget()`: an answer asked for before then is not remembered. */
  let generation = 0;
  let jsm: { nc: NatsConnection; m: Promise<JetStreamManager> } | undefined;

  const tooLarge = (e: unknown, nc: NatsConnection, topic: string, body: Uint8Array) =>
    payloadTooLarge(
      `message on ${topic} is ${body.byteLength} bytes (plus headers); the NATS server's max_payload is ${nc.info?.max_payload ?? 'unknown'} bytes`,
      { cause: e },
    );
  const failed = (e: unknown, topic: string) =>
    serviceUnavailable(`publish to ${topic} via NATS at ${address} failed: ${(e as Error).message}`, { cause: e });

  const remember = (topic: string, stream: boolean, asked: number) => {
    if (asked !== generation) return stream;
    if (stored.size >= LOOKUP_MAX) stored.clear();
    const entry = { stream, stale: false };
    stored.set(topic, entry);
    // Unref'd: a remembered answer must not keep the process alive.
    setTimeout(() => {
      entry.stale = true;
    }, LOOKUP_TTL).unref();
    return stream;
  };
  const lookup = async (nc: NatsConnection, topic: string, deadline: number): Promise<boolean> => {
    const asked = generation;
    if (jsm?.nc !== nc) jsm = { nc, m: nc.jetstreamManager({ checkAPI: false }) };
    for (;;) {
      try {
        await (await jsm.m).streams.find(topic);
        return remember(topic, true, asked);
      } catch (e) {
        if (noStream(e)) return remember(topic, false, asked);
        if (nc.isClosed()) throw failed(e, topic);
        if (Date.now() >= deadline) throw timeout(`publish to ${topic}: NATS at ${address} did not answer within ${o.publishTimeout} ms`);
        await pause(100);
      }
    }
  };
  const ask = (nc: NatsConnection, topic: string, deadline: number): Promise<boolean> => {
    let p = asking.get(topic);
    if (p === undefined) {
      const q = lookup(nc, topic, deadline).finally(() => {
        if (asking.get(topic) === q) asking.delete(topic);
      });
      asking.set(topic, q);
      p = q;
    }
    return p;
  };
  /** The remembered answer (refreshed in the background once stale), or undefined when none is. */
  const known = (nc: NatsConnection, topic: string): boolean | undefined => {
    const hit = stored.get(topic);
    if (hit === undefined) return undefined;
    if (hit.stale && !asking.has(topic)) ask(nc, topic, Date.now() + o.publishTimeout).catch(() => undefined);
    return hit.stream;
  };

  const core = (nc: NatsConnection, topic: string, body: Uint8Array, header: Record<string, string>): void => {
    const headers = coreHeaders(header);
    try {
      nc.publish(topic, body, headers === undefined ? undefined : { headers });
    } catch (e) {
      throw (e as { code?: unknown }).code === nats.ErrorCode.MaxPayloadExceeded ? tooLarge(e, nc, topic, body) : failed(e, topic);
    }
  };

  const acked = async (nc: NatsConnection, topic: string, body: Uint8Array, header: Record<string, string>, deadline: number) => {
    // Headers of its own: nats.js adds Nats-Msg-Id to them (the same id again on a retry).
    const headers = toNatsHeaders(header, nats.headers);
    const js = nc.jetstream();
    const msgID = randomUUID();
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw timeout(`publish to ${topic}: no JetStream ack from NATS at ${address} within ${o.publishTimeout} ms`);
      try {
        await js.publish(topic, body, { msgID, timeout: Math.min(left, 2000), ...(headers === undefined ? {} : { headers }) });
        return;
      } catch (e) {
        if ((e as { code?: unknown }).code === nats.ErrorCode.MaxPayloadExceeded) throw tooLarge(e, nc, topic, body);
        if (nc.isClosed()) throw failed(e, topic);
        await pause(Math.min(100, Math.max(0, deadline - Date.now())));
      }
    }
  };

  /** The first publish to a topic: asks whether a stream stores it, then publishes accordingly. */
  const firstSend = async (nc: NatsConnection, topic: string, body: Uint8Array, header: Record<string, string>): Promise<void> => {
    const deadline = Date.now() + o.publishTimeout;
    if (await ask(nc, topic, deadline)) return acked(nc, topic, body, header, deadline);
    core(nc, topic, body, header);
  };

  /**
   * Throws (synchronously) only for a message over the server's max_payload, a header NATS cannot
   * carry, or a failed core publish.
   */
  const send = (nc: NatsConnection, topic: string, body: Uint8Array, header: Record<string, string>): Promise<void> => {
    const limit = nc.info?.max_payload;
    // Checked here too: an oversized JetStream publish would only time out.
    if (limit !== undefined && body.byteLength > limit) throw tooLarge(undefined, nc, topic, body);
    const stream = o.ackedPublish ? known(nc, topic) : false;
    if (stream === false) {
      core(nc, topic, body, header);
      return SENT;
    }
    if (stream === true) return acked(nc, topic, body, header, Date.now() + o.publishTimeout);
    return firstSend(nc, topic, body, header);
  };
  /** Forgets every lookup, e.g. after this process created a stream. */
  const forget = () => {
    generation++;
    stored.clear();
    asking.clear();
  };
  return { send, forget };
}
