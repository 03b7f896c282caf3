import { defineService } from '@tsmicro/client';
import type { Context } from '@tsmicro/core';
import { bidiStream, clientStream, serverStream } from '@tsmicro/server';
import { validated } from '@tsmicro/wrappers/validation';
import { z } from 'zod';

/** What `hello` accepts: checked before the handler runs; anything else gets a 400 listing the issues. */
const HelloRequest = z.object({ name: z.string().min(1, 'name must not be empty') });

/** The Greeter handler: one method of each call shape. Its type is all a client needs for a typed proxy. */
export const greeter = {
  /** Unary, with its request validated. */
  hello: validated({ request: HelloRequest }, async (req: z.infer<typeof HelloRequest>, ctx: Context) => ({
    message: `Hello ${req.name}`,
    from: ctx.service,
  })),
  /** Server stream: counts down. */
  countdown: serverStream(async function* (req: { from: number }) {
    for (let i = req.from; i > 0; i--) yield i;
  }),
  /** Client stream: sums what the caller sends. */
  total: clientStream(async (nums: AsyncIterable<{ n: number }>) => {
    let total = 0;
    for await (const { n } of nums) total += n;
    return { total };
  }),
  /** Bidi: answers each message as it arrives. */
  chat: bidiStream(async function* (msgs: AsyncIterable<{ text: string }>) {
    for await (const { text } of msgs) yield { reply: `you said '${text}'` };
  }),
};

/** The service: its name and handlers. The server serves it; clients import only its type. */
export const greeterService = defineService('greeter', { Greeter: greeter });

/** What clients import (`import type`) to type their proxy: `client.service<GreeterService>('greeter')`. */
export type GreeterService = typeof greeterService;
