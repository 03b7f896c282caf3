import type { IncomingMessage } from 'node:http';
import type { CallOptions, Stream } from '@tsmicro/client';
import { badRequest, type Metadata, notFound } from '@tsmicro/core';
import type { HandlerKind } from '@tsmicro/transport/rpc';
import { readBody } from './body.js';
import { callerAddress } from './client-address.js';
import { encodeReply } from './compress.js';
import { requestTimeout } from './deadline.js';
import type { GatewayDeps } from './deps.js';
import { endpointKind } from './endpoint-kind.js';
import { GATEWAY_ID } from './http-error.js';
import { liveSignal } from './live.js';
import { metadataFrom, REQUEST_ID } from './metadata.js';
import { type HeaderBag, header, headerBag } from './request-headers.js';
import { streamedReply } from './stream-reply.js';

const endpointName = /^[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*$/;
const serviceName = /^[\w.:-]{1,200}$/;

/** JSON (or no declared type, as from `curl --data-binary`): other types would let a cross-site form post without a CORS preflight. */
function checkContentType(h: HeaderBag): void {
  const ct = header(h, 'content-type');
  if (ct === undefined || ct === 'application/json') return;
  const type = ct.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type) || type === 'application/x-ndjson') return;
  throw badRequest(`Content-Type '${ct}' is not JSON; send 'Content-Type: application/json'`, { id: GATEWAY_ID });
}

/** NDJSON request lines (client and bidi streams): one message per non-empty line. */
function lines(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === 10) {
      const line = body.subarray(start, i);
      if (line.some((b) => b !== 32 && b !== 13 && b !== 9)) out.push(line);
      start = i + 1;
    }
  }
  return out;
}

async function openStream(d: GatewayDeps, service: string, endpoint: string, kind: HandlerKind, body: Uint8Array, o: CallOptions) {
  const s: Stream<Uint8Array, Uint8Array> = await d.client.stream(service, endpoint, o);
  try {
    for (const m of kind === 'server-stream' ? [body] : lines(body)) await s.send(m);
    await s.closeSend();
  } catch (e) {
    await s.close();
    throw e;
  }
  return s;
}

/** What a call takes from its request before the body is read. */
export interface CallSetup {
  metadata: Metadata;
  requestId: string;
  /** The caller's deadline (ms), capped; undefined when it names none. */
  timeout: number | undefined;
}

/**
 * The checks every call makes before its body is read (access, content type, deadline) and its
 * metadata, for a path already known to be `/{service}/{Handler.method}`. Throws the MicroError to
 * answer with.
 */
export function callSetup(
  d: GatewayDeps,
  h: HeaderBag,
  service: string,
  endpoint: string,
  incoming: IncomingMessage | undefined,
): CallSetup {
  if (!d.o.access.endpoint(service, endpoint)) {
    throw notFound(`no endpoint '${endpoint}' of service '${service}' is exposed by this gateway`, { id: GATEWAY_ID });
  }
  checkContentType(h);
  const { metadata, requestId } = metadataFrom(h, d.o.metadataHeaders, callerAddress(d.o.clientAddress, incoming));
  return { metadata, requestId, timeout: requestTimeout(h, d.o.maxTimeoutMs) };
}

/** A unary call's answer: the reply's bytes (compressed when the caller accepts it and it is large) and its headers. */
export interface UnaryAnswer {
  body: Uint8Array;
  headers: Record<string, string>;
}

/**
 * Calls a unary endpoint with the request body. A caller that goes away before its answer cancels
 * the call through `signal` (the handler's ctx.signal aborts); close() lets unary calls finish.
 */
export async function unaryAnswer(
  d: GatewayDeps,
  service: string,
  endpoint: string,
  body: Uint8Array,
  h: HeaderBag,
  s: CallSetup,
  signal: AbortSignal | undefined,
): Promise<UnaryAnswer> {
  const o: CallOptions = { metadata: s.metadata };
  if (signal) o.signal = signal;
  if (s.timeout !== undefined) o.timeout = s.timeout;
  const reply = await d.client.call(service, endpoint, body, o);
  const headers: Record<string, string> = { 'content-type': 'application/json', [REQUEST_ID]: s.requestId };
  const encoded = encodeReply(reply, header(h, 'accept-encoding'), d.o.compressAbove, headers);
  return { body: encoded instanceof Uint8Array ? encoded : await encoded, headers };
}

/**
 * `POST /{service}/{Handler.method}`: the body is the request (JSON; NDJSON lines for client and
 * bidi streams), the reply is JSON, or NDJSON / server-sent events for streamed replies.
 */
export async function rpcRoute(
  d: GatewayDeps,
  req: Request,
  service: string,
  endpoint: string,
  incoming?: IncomingMessage,
): Promise<Response> {
  if (!serviceName.test(service) || !endpointName.test(endpoint)) {
    throw badRequest(`'/${service}/${endpoint}' is not /{service}/{Handler.method}`, { id: GATEWAY_ID });
  }
  const h = headerBag(req, incoming);
  const setup = callSetup(d, h, service, endpoint, incoming);
  const known = endpointKind(d.registry, service, endpoint);
  const [kind, body] =
    known instanceof Promise
      ? await Promise.all([known, readBody(req, h, d.o.maxBodyBytes, incoming)])
      : [known, await readBody(req, h, d.o.maxBodyBytes, incoming)];
  if (kind === 'unary') {
    const a = await unaryAnswer(d, service, endpoint, body, h, setup, d.callerGone(req, incoming));
    return new Response(a.body, { headers: a.headers });
  }
  // Streams end when the caller leaves or the gateway closes, and get the gateway's maximum
  // deadline when the caller names none: nothing outlives it.
  const gone = d.callerGone(req, incoming);
  const o: CallOptions = {
    metadata: setup.metadata,
    signal: gone ? liveSignal(gone, d.closing) : d.closing,
    timeout: setup.timeout ?? d.o.maxTimeoutMs,
  };
  const s = await openStream(d, service, endpoint, kind, body, o);
  return streamedReply(s, kind, h, { [REQUEST_ID]: setup.requestId }, d.o.compressAbove);
}
