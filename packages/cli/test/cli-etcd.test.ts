import { requireServer } from '@tsmicro/core/testing';
import { describe } from 'vitest';
import { cliScenarios } from './scenarios.js';

const etcdUp = await requireServer('etcd', 2379);

// The services and the CLI pick etcd from the same environment variables.
describe.runIf(etcdUp)('etcd on 127.0.0.1:2379', () => {
  cliScenarios({
    label: 'etcd',
    env: { TSMICRO_REGISTRY: 'etcd', TSMICRO_REGISTRY_ADDRESS: '127.0.0.1:2379' },
    asked: 'etcd (env TSMICRO_REGISTRY) at 127.0.0.1:2379',
    keepsDeadNodes: true,
  });
});
