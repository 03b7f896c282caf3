import type { Broker, Subscriber } from '@tsmicro/broker';
import type { CodecSet } from '@tsmicro/codec';
import { type Context, createScope, type Logger, serviceUnavailable } from '@tsmicro/core';
import { decompressBody, ENCODING, H, type MuxCompression, readMetadata, SUPPORTED } from '@tsmicro/transport/rpc';
import type { ServerSubscribeOptions, SubscriberFunc, SubscriberWrapper } from './server.js';

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

/** Subscribes every spec through the broker; a handler throw is logged and rethrown so the broker nacks. */
export async function subscribeAll(env: SubscribeEnv, specs: readonly SubscriptionSpec[]): Promise<Subscriber[]> {
  if (specs.length === 0) return [];
  await env.broker.connect();
  const subs: Subscriber[] = [];
  for (const spec of specs) {
    let fn: SubscriberFunc = async (payload, ctx) => {
      await spec.fn(payload, ctx);
    };
    for (let i = env.wrappers.length - 1; i >= 0; i--) fn = env.wrappers[i]!(fn);
    const logger = env.logger.child({ topic: spec.topic });
    const o = {
      ...(spec.o.queue === undefined ? {} : { queue: spec.o.queue }),
      ...(spec.o.durable === undefined ? {} : { durable: spec.o.durable }),
    };
    const sub = await env.broker.subscribe(
      spec.topic,
      async (e) => {
        const scope = createScope({ parents: [env.stopSignal], onDeadline: () => serviceUnavailable('unreachable') });
        try {
          const h = e.message.header;
          // A publisher that compressed says so in Micro-Encoding; a message without it is read as it is.
          const enc = h[ENCODING];
          const body =
            enc === undefined
              ? e.message.body
              : decompressBody(
                  enc,
                  e.message.body,
                  env.compression?.maxMessageSize ?? 4 * 1024 * 1024,
                  env.compression?.accept ?? SUPPORTED,
                );
          const payload = env.codecs.get(h[H.contentType] ?? 'application/json').decode(body);
          const ctx: Context = {
            metadata: readMetadata(e.message.header),
            signal: scope.signal,
            service: env.name,
            endpoint: e.topic,
            logger,
          };
          await fn(payload, ctx);
        } catch (err) {
          logger.warn({ err: err instanceof Error ? err.message : String(err), topic: e.topic }, 'subscriber failed; message nacked');
          throw err;
        } finally {
          scope.dispose();
        }
      },
      o,
    );
    subs.push(sub);
  }
  return subs;
}
