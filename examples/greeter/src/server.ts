import { createLogger } from '@tsmicro/core';
import { createService } from '@tsmicro/service';
import { greeter } from './greeter.js';

// Until the mDNS registry lands, clients in other processes cannot discover this server: the one
// info line `run()` logs (JSON, with `address`) is how demo.ts learns where to call.
const service = createService({ name: 'greeter', logger: createLogger({ name: 'greeter', level: 'info' }) });
service.handle('Greeter', greeter);
await service.run();
