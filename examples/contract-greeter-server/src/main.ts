import { createLogger } from '@tsmicro/core';
import { createService } from '@tsmicro/service';
import type { GreeterServiceName } from 'contract-greeter-api';
import { greeter } from './greeter.js';

// Registers in the default (mDNS) registry: `contract-greeter-client` on this host or LAN finds it by name.
const name: GreeterServiceName = 'greeter';
const service = createService({ name, logger: createLogger({ name, level: 'info' }) });
service.handle('Greeter', greeter);
await service.run();
