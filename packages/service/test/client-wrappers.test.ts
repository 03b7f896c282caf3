import { MicroError, silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { memoryTransport } from '@tsmicro/transport';
import { expect, it } from 'vitest';
import { createService } from '../src/index.js';

it('a client wrapper that throws a plain Error reaches the caller as a MicroError (500, its message)', async () => {
  const svc = createService({
    name: 'wrapped',
    transport: memoryTransport(),
    registry: memoryRegistry(),
    logger: silentLogger(),
    wrappers: {
      call: [
        () => async () => {
          throw new Error('wrapper refused');
        },
      ],
      publish: [
        () => async () => {
          throw new TypeError('no publishing');
        },
      ],
    },
  });
  svc.handle('W', { ping: () => 'pong' });
  await svc.start();
  try {
    const err = await svc.client.call('wrapped', 'W.ping', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicroError);
    expect((err as MicroError).code).toBe(500);
    expect((err as MicroError).detail).toBe('wrapper refused');
    const pubErr = await svc.client.publish('t.x', {}).catch((e: unknown) => e);
    expect(pubErr).toBeInstanceOf(MicroError);
    expect((pubErr as MicroError).detail).toBe('no publishing');
  } finally {
    await svc.stop();
  }
});
