import { createClient } from '@tsmicro/client';
import { memoryRegistry } from '@tsmicro/registry';
import { createServer } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { greetAll } from 'contract-greeter-client';
import { expect, it } from 'vitest';
import { greeter } from './greeter.js';

it('a client typed only by the contract package calls the implementation in all four shapes over tcp', async () => {
  const registry = memoryRegistry();
  const transport = tcpTransport();
  const server = createServer({ name: 'greeter', transport, registry });
  server.handle('Greeter', greeter);
  await server.start();
  const client = createClient({ transport, registry });
  try {
    expect(await greetAll(client, { timeout: 5000 })).toEqual([
      'hello: Bonjour Ada',
      'countdown: 3 2 1',
      'stats: 3 samples, mean 5',
      'chat: desserts',
      'chat: reward',
    ]);
  } finally {
    await client.close();
    await server.stop();
    await registry.close();
  }
});
