import { silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { memoryTransport } from '@tsmicro/transport';
import { expect, it } from 'vitest';
import { createService } from '../src/index.js';

it('runs lifecycle hooks in order: afterStart sees the registration, beforeStop runs before deregistration', async () => {
  const registry = memoryRegistry();
  const seen: string[] = [];
  const registered = async () => (await registry.getService('hooked')).length > 0;
  const svc = createService({
    name: 'hooked',
    transport: memoryTransport(),
    registry,
    logger: silentLogger(),
    hooks: {
      beforeStart: [async () => void seen.push(`beforeStart registered=${await registered()}`)],
      afterStart: [async () => void seen.push(`afterStart registered=${await registered()}`), () => void seen.push('afterStart#2')],
      beforeStop: [async () => void seen.push(`beforeStop registered=${await registered()}`)],
      afterStop: [async () => void seen.push(`afterStop registered=${await registered()}`)],
    },
  });
  svc.handle('H', { ping: () => 'pong' });
  await svc.start();
  await svc.stop();
  expect(seen).toEqual([
    'beforeStart registered=false',
    'afterStart registered=true',
    'afterStart#2',
    'beforeStop registered=true',
    'afterStop registered=false',
  ]);
  await registry.close();
});
