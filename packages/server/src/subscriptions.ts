import type { Broker, Handler, Subscriber } from '@tsmicro/broker';
import type { Codec, CodecSet } from '@tsmicro/codec';
import type { Context, Logger } from '@tsmicro/core';
import { decompressBody, ENCODING, H, type MuxCompression, readMetadata, SUPPORTED } from '@tsmicro/transport/rpc';
import { isThenable } from './guards.js';
import type { ServerSubscribeOptions, SubscriberFunc, SubscriberWrapper } from './server.js';
import { chain } from './wrap.js';

/** One `server.subscribe` call, kept until `start`. */
export interface SubscriptionSpec {
  topic: string;
  fn: (payload: unknown, ctx: Context) => unknown;
  o: ServerSubscribeOptions;
}

/** What subscribing needs from the server. */
export interface SubscribeEnv {
  name: string;
  broker: Broker;
  codecs: CodecSet;
  logger: Logger;
  wrappers: readonly SubscriberWrapper[];
  stopSignal: AbortSignal;
  /** `accept` and `maxMessageSize` bound what a compressed message may decompress to. Default: every encoding, 4 MiB. */
  compression?: MuxCompression;
}

/** The codec of a message's Content-Type (json when absent); the last one is remembered, as a topic's messages share theirs. */
function codecLookup(codecs: CodecSet): (contentType: string | undefined) => Codec {
  let lastType: string | undefined;
  let last: Codec | undefined;
  return (contentType) => {
    const t = contentType ?? 'application/json';
    if (t !== lastType || last === undefined) {
      last = codecs.get(t);
      lastType = t;
    }
    return last;
  };
}

/**
 * The broker handler of one subscription. Not async: a handler that returns without a promise is
 * done within the delivery (the broker then queues nothing and runs no microtask for it). The
 * context's signal is the server's stop signal itself: a message has no deadline of its own, so a
 * scope per message only added an AbortController that aborted exactly when stop does.
 */
function deliverTo(env: SubscribeEnv, spec: SubscriptionSpec): Handler {
  const logger = env.logger.child({ topic: spec.topic });
  const fn = chain<SubscriberFunc>(spec.fn, env.wrappers);
  const codecOf = codecLookup(env.codecs);
  const maxMessageSize = env.compression?.maxMessageSize ?? 4 * 1024 * 1024;
  const accept = env.compression?.accept ?? SUPPORTED;
  const failed = (err: unknown, topic: string) =>
    logger.warn({ err: err instanceof Error ? err.message : String(err), topic }, 'subscriber failed; message nacked');
  return (e) => {
    let out: unknown;
    try {
      const header = e.message.header;
      // A publisher that compressed says so in Micro-Encoding; a message without it is read as it is.
      const enc = header[ENCODING];
      const body = enc === undefined ? e.message.body : decompressBody(enc, e.message.body, maxMessageSize, accept);
      const payload = codecOf(header[H.contentType]).decode(body);
      const ctx: Context = { metadata: readMetadata(header), signal: env.stopSignal, service: env.name, endpoint: e.topic, logger };
      out = fn(payload, ctx);
    } catch (err) {
      failed(err, e.topic);
      throw err;
    }
    if (!isThenable(out)) return;
    return Promise.resolve(out).then(noop, (err: unknown) => {
      failed(err, e.topic);
      throw err;
    });
  };
}

const noop = (): void => {};

/** Subscribes every spec through the broker; a handler throw is logged and rethrown so the broker nacks. */
export async function subscribeAll(env: SubscribeEnv, specs: readonly SubscriptionSpec[]): Promise<Subscriber[]> {
  if (specs.length === 0) return [];
  await env.broker.connect();
  const subs: Subscriber[] = [];
  for (const spec of specs) {
    const o = {
      ...(spec.o.queue === undefined ? {} : { queue: spec.o.queue }),
      ...(spec.o.durable === undefined ? {} : { durable: spec.o.durable }),
    };
    subs.push(await env.broker.subscribe(spec.topic, deliverTo(env, spec), o));
  }
  return subs;
}
