import { randomUUID } from 'node:crypto';
import { payloadTooLarge, serviceUnavailable, timeout } from '@tsmicro/core';
import type { JetStreamManager, MsgHdrs, NatsConnection } from 'nats';
import type { ResolvedNatsOptions } from './options.js';

type Nats = typeof import('nats');

/** How long the answer to "does a stream store this topic?" is trusted. */
const LOOKUP_TTL = 5000;
const LOOKUP_MAX = 10_000;

const noStream = (e: unknown) =>
  /no stream matches|not enabled/i.test(String((e as Error).message)) || (e as { code?: unknown }).code === '503';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Publishes one message. Where a JetStream stream stores the topic (and `ackedPublish` is on),
 * the publish waits for the stream's ack and retries until `publishTimeout`, with a message id
 * so a retry is never stored twice: a publish that resolved is stored, even across a server
 * restart. Other topics go out as core publishes (at-most-once, no round trip). Which topics a
 * stream stores is asked of JetStream and remembered for a few seconds.
 */
export function publisher(nats: Nats, o: ResolvedNatsOptions, address: string) {
  const stored = new Map<string, { stream: boolean; until: number }>();
  let jsm: { nc: NatsConnection; m: Promise<JetStreamManager> } | undefined;

  const tooLarge = (e: unknown, nc: NatsConnection, topic: string, body: Uint8Array) =>
    payloadTooLarge(
      `message on ${topic} is ${body.byteLength} bytes (plus headers); the NATS server's max_payload is ${nc.info?.max_payload ?? 'unknown'} bytes`,
      { cause: e },
    );
  const failed = (e: unknown, topic: string) =>
    serviceUnavailable(`publish to ${topic} via NATS at ${address} failed: ${(e as Error).message}`, { cause: e });

  const hasStream = async (nc: NatsConnection, topic: string, deadline: number): Promise<boolean> => {
    const hit = stored.get(topic);
    if (hit !== undefined && hit.until > Date.now()) return hit.stream;
    if (jsm?.nc !== nc) jsm = { nc, m: nc.jetstreamManager({ checkAPI: false }) };
    for (;;) {
      try {
        await (await jsm.m).streams.find(topic);
        return remember(topic, true);
      } catch (e) {
        if (noStream(e)) return remember(topic, false);
        if (nc.isClosed()) throw failed(e, topic);
        if (Date.now() >= deadline) throw timeout(`publish to ${topic}: NATS at ${address} did not answer within ${o.publishTimeout} ms`);
        await pause(100);
      }
    }
  };
  const remember = (topic: string, stream: boolean) => {
    if (stored.size >= LOOKUP_MAX) stored.clear();
    stored.set(topic, { stream, until: Date.now() + LOOKUP_TTL });
    return stream;
  };

  const send = async (nc: NatsConnection, topic: string, body: Uint8Array, headers: MsgHdrs | undefined): Promise<void> => {
    const deadline = Date.now() + o.publishTimeout;
    const limit = nc.info?.max_payload;
    // Checked here too: an oversized JetStream publish would only time out.
    if (limit !== undefined && body.byteLength > limit) throw tooLarge(undefined, nc, topic, body);
    if (!o.ackedPublish || !(await hasStream(nc, topic, deadline))) {
      try {
        nc.publish(topic, body, headers === undefined ? {} : { headers });
        return;
      } catch (e) {
        throw (e as { code?: unknown }).code === nats.ErrorCode.MaxPayloadExceeded ? tooLarge(e, nc, topic, body) : failed(e, topic);
      }
    }
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
  /** Forgets every lookup, e.g. after this process created a stream. */
  const forget = () => stored.clear();
  return { send, forget };
}
