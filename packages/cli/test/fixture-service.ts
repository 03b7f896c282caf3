// A service for the CLI tests, run as its own process. It picks registry and broker from the same
// environment variables the CLI reads (TSMICRO_REGISTRY, …), and says `ready <address>` on stderr.
import { setTimeout as sleep } from 'node:timers/promises';
import { notFound } from '@tsmicro/core';
import { bidiStream, clientStream, serverStream } from '@tsmicro/server';
import { createService } from '@tsmicro/service';
import { validated } from '@tsmicro/wrappers/validation';
import { z } from 'zod';

const name = process.env.FIXTURE_NAME ?? 'fixture';
const svc = createService({
  name,
  version: process.env.FIXTURE_VERSION ?? '1.0.0',
  metadata: { team: 'cli-tests' },
  hooks: { afterStart: [() => void process.stderr.write(`ready ${svc.server.address}\n`)] },
});
svc.handle('Test', {
  hello: validated({ request: z.object({ name: z.string().min(1) }), response: z.object({ message: z.string() }) }, async (req) => ({
    message: `hello ${req.name}`,
  })),
  // `client` only through the HTTP gateway, which sets x-client-address.
  echo: async (req: unknown, ctx: { metadata: Record<string, string> }) => ({
    req,
    tenant: ctx.metadata.tenant ?? null,
    ...(ctx.metadata['x-client-address'] !== undefined && { client: ctx.metadata['x-client-address'] }),
  }),
  slow: async (req: { ms: number }, ctx: { signal: AbortSignal }) => {
    await sleep(req.ms, undefined, { signal: ctx.signal }).catch(() => undefined);
    return { slept: req.ms };
  },
  missing: async () => {
    throw notFound('no order 42');
  },
  countdown: serverStream(async function* (req: { from: number }) {
    for (let i = req.from; i > 0; i--) yield i;
  }),
  total: clientStream(async (nums: AsyncIterable<{ n: number }>) => {
    let total = 0;
    for await (const { n } of nums) total += n;
    return { total };
  }),
  chat: bidiStream(async function* (msgs: AsyncIterable<{ text: string }>) {
    for await (const { text } of msgs) yield { reply: `you said ${text}` };
  }),
});
// Answers every ping with a pong carrying the same payload, so tests can drive publish and subscribe.
svc.subscribe(`${name}.ping`, async (payload) => {
  await svc.client.publish(`${name}.pong`, payload);
});
await svc.run();
