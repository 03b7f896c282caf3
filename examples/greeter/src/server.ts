import { serve } from '@tsmicro/client';
import { createLogger } from '@tsmicro/core';
import { createService } from '@tsmicro/service';
import { combineWrappers } from '@tsmicro/wrappers';
import { logging } from '@tsmicro/wrappers/logging';
import { metrics, metricsServer } from '@tsmicro/wrappers/metrics';
import { greeterService } from './greeter.js';

const logger = createLogger({ name: 'greeter', level: 'info' });
// Prometheus metrics on a free loopback port; its URL goes in the log so a scraper (or the demo) finds it.
const m = metrics();
const http = await metricsServer({ registry: m.registry, port: 0 });
logger.info({ metrics: `${http.url}/metrics` }, `metrics at ${http.url}/metrics`);

// Every default: tcp on 127.0.0.1, mDNS discovery, http broker. Clients find this process by name.
// Wrappers: metrics outside logging, so the logged duration is the handler's own.
const service = createService({
  name: greeterService.name,
  logger,
  wrappers: combineWrappers(m, logging({ logger })),
});
serve(service, greeterService);
// Pub/sub across processes: answer each greeting event with a thank-you event.
service.subscribe('greeter.greeted', async (payload, ctx) => {
  const { name } = payload as { name: string };
  await service.client.publish('greeter.thanked', { to: name, by: ctx.service });
});
try {
  await service.run();
} finally {
  await http.close();
}
