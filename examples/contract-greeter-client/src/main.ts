import { createClient } from '@tsmicro/client';
import { mdnsRegistry } from '@tsmicro/registry/mdns';
import { tcpTransport } from '@tsmicro/transport';
import { greetAll } from './greet.js';

// Finds the greeter through mDNS, the default registry of `createService`, and calls it over tcp.
const registry = mdnsRegistry();
const client = createClient({ transport: tcpTransport(), registry });
try {
  for (const line of await greetAll(client, { timeout: 5000 })) process.stdout.write(`${line}\n`);
} finally {
  await client.close();
  await registry.close();
}
