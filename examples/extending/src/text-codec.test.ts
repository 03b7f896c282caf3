import { memoryBroker } from '@tsmicro/broker';
import { defaultCodecs } from '@tsmicro/codec';
import { runCodecContract } from '@tsmicro/codec/testing';
import { memoryRegistry } from '@tsmicro/registry';
import { createService } from '@tsmicro/service';
import { tcpTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { text } from './text-codec.js';

runCodecContract({ codec: text, samples: ['', 'hello', 'héllo wörld ✓ 🚀'], structured: false });

describe('the text codec in a service', () => {
  it('carries a call over tcp as text/plain, and refuses a non-string with a 400', async () => {
    const registry = memoryRegistry();
    const svc = createService({
      name: `echo-${process.pid}`,
      registry,
      broker: memoryBroker(),
      transport: tcpTransport(),
      codecs: [text, ...defaultCodecs],
      contentType: 'text/plain',
      debug: false,
    });
    svc.handle('Echo', { shout: async (s: string) => s.toUpperCase() });
    await svc.start();
    try {
      expect(await svc.client.call(svc.name, 'Echo.shout', 'hi ✓')).toBe('HI ✓');
      await expect(svc.client.call(svc.name, 'Echo.shout', { not: 'a string' })).rejects.toMatchObject({ code: 400 });
    } finally {
      await svc.stop();
      await registry.close();
    }
  });
});
