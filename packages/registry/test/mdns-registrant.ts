// Child process of mdns-process.test.ts: registers services over mDNS and heartbeats until killed.
import { mdnsRegistry } from '@tsmicro/registry/mdns';

const port = Number(process.env.MDNS_PORT);
const name = process.env.SERVICE_NAME ?? 'registrant';
const samples = Number(process.env.SAMPLES ?? '0');
const ttl = Number(process.env.TTL ?? '600');
const now = () => performance.timeOrigin + performance.now();

const registry = mdnsRegistry({ interface: '127.0.0.1', port });
const record = (svc: string) => ({
  name: svc,
  version: '1',
  metadata: {},
  endpoints: [],
  nodes: [{ id: `child-${process.pid}`, address: '127.0.0.1:9', metadata: { t0: String(now()) } }],
});

// latency samples: one fresh service each, the send time travels in the metadata
for (let i = 0; i < samples; i++) {
  await registry.register(record(`${name}-sample-${i}`), { ttl: 60_000 });
  await new Promise((r) => setTimeout(r, 30));
}
const main = record(name);
await registry.register(main, { ttl });
process.stdout.write('registered\n');
setInterval(() => void registry.register(main, { ttl }), ttl / 3);
