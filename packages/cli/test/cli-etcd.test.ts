import { requireServer } from '@tsmicro/core/testing';
import { describe } from 'vitest';
import { cliScenarios } from './scenarios.js';

const up = (await requireServer('etcd', 2379)) && (await requireServer('NATS', 4222));

// The services and the CLI pick etcd and NATS from the same environment variables.
describe.runIf(up)('etcd on 127.0.0.1:2379, NATS on 127.0.0.1:4222', () => {
  cliScenarios({
    label: 'etcd with the NATS broker',
    env: {
      TSMICRO_REGISTRY: 'etcd',
      TSMICRO_REGISTRY_ADDRESS: '127.0.0.1:2379',
      TSMICRO_BROKER: 'nats',
      TSMICRO_BROKER_ADDRESS: '127.0.0.1:4222',
    },
    asked: 'etcd (env TSMICRO_REGISTRY) at 127.0.0.1:2379',
    keepsDeadNodes: true,
    broker: 'nats',
  });
});
