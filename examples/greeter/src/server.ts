import { serve } from '@tsmicro/client';
import { createLogger } from '@tsmicro/core';
import { createService } from '@tsmicro/service';
import { greeterService } from './greeter.js';

// Every default: tcp on 127.0.0.1, mDNS discovery, http broker. Clients find this process by name.
const service = createService({ name: greeterService.name, logger: createLogger({ name: 'greeter', level: 'info' }) });
serve(service, greeterService);
// Pub/sub across processes: answer each greeting event with a thank-you event.
service.subscribe('greeter.greeted', async (payload, ctx) => {
  const { name } = payload as { name: string };
  await service.client.publish('greeter.thanked', { to: name, by: ctx.service });
});
await service.run();
