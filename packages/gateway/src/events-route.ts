import type { IncomingMessage } from 'node:http';
import { validatePattern, validateTopic } from '@tsmicro/broker';
import { badRequest, serviceUnavailable } from '@tsmicro/core';
import { readBody } from './body.js';
import { callerAddress } from './client-address.js';
import type { GatewayDeps } from './deps.js';
import { GATEWAY_ID } from './http-error.js';
import { aborted, liveSignal, withKeepAlive } from './live.js';
import { metadataFrom, REQUEST_ID } from './metadata.js';
import { headerBag } from './request-headers.js';
import { SSE_HEADERS, sseEvent, streamBody } from './stream-body.js';

/** Messages a slow tail may fall behind by before the oldest are dropped (and counted). */
const TAIL_BACKLOG = 1000;
const KEEPALIVE_MS = 15_000;
const decoder = new TextDecoder('utf-8', { fatal: true });

const asGatewayError = (e: unknown) => badRequest((e as Error).message, { id: GATEWAY_ID });

/** `POST /events/{topic}`: publishes the JSON body to `topic` through the broker. 202 `{ topic }`. */
export async function publishRoute(d: GatewayDeps, req: Request, topic: string, incoming?: IncomingMessage): Promise<Response> {
  try {
    validateTopic(topic);
  } catch (e) {
    throw asGatewayError(e);
  }
  const h = headerBag(req, undefined);
  const body = await readBody(req, h, d.o.maxBodyBytes);
  try {
    JSON.parse(decoder.decode(body));
  } catch (e) {
    throw badRequest(`event body is not JSON: ${(e as Error).message}`, { id: GATEWAY_ID });
  }
  const { metadata, requestId } = metadataFrom(h, d.o.metadataHeaders, callerAddress(d.o.clientAddress, incoming));
  await d.client.publish(topic, body, { metadata });
  return Response.json({ topic }, { status: 202, headers: { [REQUEST_ID]: requestId } });
}

/** What the tail sends per message: the body as JSON when it is, else as text. */
function describeMessage(topic: string, header: Record<string, string>, body: Uint8Array): string {
  let payload: unknown;
  try {
    payload = JSON.parse(decoder.decode(body));
  } catch {
    payload = { bytes: body.byteLength, base64: Buffer.from(body).toString('base64') };
  }
  return JSON.stringify({ topic, header, payload, at: Date.now() });
}

/** `GET /events/{pattern}`: every message on matching topics as a server-sent `message` event, until the caller leaves. */
export async function tailRoute(d: GatewayDeps, req: Request, pattern: string): Promise<Response> {
  const broker = d.broker;
  if (!broker) throw serviceUnavailable('this gateway has no broker', { id: GATEWAY_ID });
  try {
    validatePattern(pattern);
  } catch (e) {
    throw asGatewayError(e);
  }
  const signal = liveSignal(req.signal, d.closing);
  const backlog: string[] = [];
  let dropped = 0;
  let wake: (() => void) | undefined;
  const sub = await broker.subscribe(pattern, (e) => {
    if (backlog.length >= TAIL_BACKLOG) {
      backlog.shift();
      dropped++;
    }
    backlog.push(describeMessage(e.topic, e.message.header, e.message.body));
    wake?.();
  });
  // Unsubscribes once, whether the stream ends, is cancelled, or is never read at all.
  let left: Promise<void> | undefined;
  const leave = () => {
    left ??= sub.unsubscribe().catch(() => {});
    return left;
  };
  void aborted(signal).then(leave);
  const next = async (): Promise<IteratorResult<string>> => {
    while (backlog.length === 0) {
      await Promise.race([new Promise<void>((r) => (wake = r)), aborted(signal)]);
      if (signal.aborted) return { done: true, value: undefined };
    }
    return { done: false, value: backlog.shift()! };
  };
  async function* events(): AsyncGenerator<string, void> {
    try {
      yield sseEvent(JSON.stringify({ pattern }), 'subscribed');
      for await (const m of withKeepAlive(next, signal, KEEPALIVE_MS)) {
        if (m === undefined) yield ': keep-alive\n\n';
        else yield sseEvent(m, 'message');
        if (dropped > 0) {
          yield sseEvent(JSON.stringify({ dropped }), 'dropped');
          dropped = 0;
        }
      }
    } finally {
      await leave();
    }
  }
  return new Response(streamBody(events()), { headers: SSE_HEADERS });
}
