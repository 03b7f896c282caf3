// Run inside the fresh app before the optional peers are installed: each feature whose peer is
// missing must fail with a MicroError that says what to install, and importing its subpath must not
// fail by itself (the peer is loaded on first use only).
import { natsBroker } from '@tsmicro/broker/nats';
import { redisBroker } from '@tsmicro/broker/redis';
import { isMicroError } from '@tsmicro/core';
import { etcdRegistry } from '@tsmicro/registry/etcd';
import { metrics } from '@tsmicro/wrappers/metrics';
import { tracing } from '@tsmicro/wrappers/tracing';

const cases = [
  ['nats', 'natsBroker', () => natsBroker().connect()],
  ['ioredis', 'redisBroker', () => redisBroker().connect()],
  ['etcd3', 'etcdRegistry', () => etcdRegistry().getService('x')],
  ['prom-client', 'metrics()', () => metrics()],
  ['@opentelemetry/api', 'tracing()', () => tracing()],
];
let failed = 0;
for (const [pkg, user, use] of cases) {
  let error;
  try {
    await use();
  } catch (e) {
    error = e;
  }
  const want = `install ${pkg} to use ${user}`;
  if (isMicroError(error) && error.detail.includes(want)) {
    console.log(`  ${user} without ${pkg}: "${error.detail}"`);
  } else {
    failed++;
    console.error(
      `  ${user} without ${pkg}: expected a MicroError saying "${want}", got ${error ? String(error.stack ?? error) : 'no error'}`,
    );
  }
}
process.exit(failed === 0 ? 0 : 1);
