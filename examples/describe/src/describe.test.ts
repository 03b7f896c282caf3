import { createClient, describeService } from '@tsmicro/client';
import { memoryRegistry } from '@tsmicro/registry';
import { bidiStream, createServer, serverStream } from '@tsmicro/server';
import { memoryTransport } from '@tsmicro/transport';
import { validated } from '@tsmicro/wrappers/validation';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { formatDescription } from './format.js';

const Hello = z.object({ name: z.string().min(1) });
const Reply = z.object({ message: z.string() });

it('describes a running service: kinds, and the JSON Schemas of validated() handlers', async () => {
  const registry = memoryRegistry();
  const transport = memoryTransport();
  const server = createServer({ name: 'greeter', version: '1.2.0', transport, registry });
  server.handle('Greeter', {
    hello: validated({ request: Hello, response: Reply }, async (req) => ({ message: `hi ${req.name}` })),
    ticks: serverStream(
      validated({ request: z.object({ n: z.number().int() }) }, async function* (req) {
        for (let i = 0; i < req.n; i++) yield i;
      }),
    ),
    chat: bidiStream(async function* (lines: AsyncIterable<string>) {
      yield* lines;
    }),
  });
  await server.start();
  const client = createClient({ transport, registry });
  try {
    // The schemas are enforced, and published.
    await expect(client.call('greeter', 'Greeter.hello', { name: '' })).rejects.toMatchObject({ code: 400 });
    const [d] = await describeService(registry, 'greeter');
    expect(d?.version).toBe('1.2.0');
    expect(d?.endpoints.map((e) => [e.name, e.kind])).toEqual([
      ['Greeter.chat', 'bidi-stream'],
      ['Greeter.hello', 'unary'],
      ['Greeter.ticks', 'server-stream'],
    ]);
    const hello = d?.endpoints[1];
    expect(hello?.requestSchema).toMatchObject({
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 } },
      required: ['name'],
    });
    expect(hello?.responseSchema).toMatchObject({ properties: { message: { type: 'string' } } });
    expect(d?.endpoints[2]?.requestSchema).toMatchObject({ properties: { n: { type: 'integer' } } });
    expect(d?.endpoints[2]?.responseSchema).toBeUndefined();

    const text = formatDescription(await describeService(registry, 'greeter'));
    expect(text).toContain('greeter 1.2.0');
    expect(text).toMatch(/Greeter\.ticks\s+server-stream/);
    expect(text).toContain('"minLength":1');
  } finally {
    await client.close();
    await server.stop();
    await registry.close();
  }
});
