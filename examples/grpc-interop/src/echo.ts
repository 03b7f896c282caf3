import { create } from '@bufbuild/protobuf';
import { type Context, MicroError } from '@tsmicro/core';
import { bidiStream, clientStream, serverStream } from '@tsmicro/server';
import { type EchoReply, EchoReplySchema } from './gen/interop_pb.js';

/** The fields of a request the handlers read: a generated EchoRequest, or the same object as JSON. `say` repeats `text` `count` times. */
export interface EchoInput {
  text?: string;
  count?: number;
  failCode?: number;
  delayMs?: number;
}
type Reply = { text: string; metadata?: string[]; n?: number };

/** Waits `ms`, or rejects when the call is aborted (deadline, client cancel, server stop). */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });
}

async function check(req: EchoInput, ctx: Context): Promise<void> {
  if (req.delayMs) await wait(req.delayMs, ctx.signal);
  if (req.failCode) throw new MicroError({ code: req.failCode, detail: `asked to fail with ${req.failCode}`, id: ctx.service });
}

const seen = (ctx: Context) => Object.entries(ctx.metadata).map(([k, v]) => `${k}=${v}`);

/**
 * The Echo service of interop.proto, one method of each call shape. `make` builds the reply: a generated
 * EchoReply for protobuf callers (`protoEcho`), a plain object for JSON callers (`jsonEcho`).
 */
function echoHandlers<R>(make: (r: Reply) => R) {
  return {
    async say(req: EchoInput, ctx: Context): Promise<R> {
      await check(req, ctx);
      return make({ text: (req.text ?? '').repeat(Math.max(1, req.count ?? 1)), metadata: seen(ctx) });
    },
    count: serverStream(async function* (req: EchoInput, ctx: Context): AsyncGenerator<R> {
      for (let n = 1; n <= (req.count ?? 0); n++) {
        if (n === 2) await check(req, ctx);
        yield make({ text: req.text ?? '', n });
      }
    }),
    join: clientStream(async (reqs: AsyncIterable<EchoInput>, ctx: Context): Promise<R> => {
      const parts: string[] = [];
      for await (const r of reqs) {
        await check(r, ctx);
        parts.push(r.text ?? '');
      }
      return make({ text: parts.join(' '), n: parts.length });
    }),
    chat: bidiStream(async function* (reqs: AsyncIterable<EchoInput>, ctx: Context): AsyncGenerator<R> {
      let n = 0;
      for await (const r of reqs) {
        await check(r, ctx);
        yield make({ text: (r.text ?? '').toUpperCase(), n: ++n });
      }
    }),
  };
}

/** Served as `application/grpc` (protobuf) under `Echo`: `/tsmicro.interop.v1.Echo/Say` → `Echo.say`. */
export const protoEcho = echoHandlers((r): EchoReply => create(EchoReplySchema, r));
/** The same service for JSON callers (`application/grpc+json`), registered as `Plain`. */
export const jsonEcho = echoHandlers((r) => r);
