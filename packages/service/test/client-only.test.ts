import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mdnsRegistry } from '@tsmicro/registry/mdns';
import { describe, expect, it } from 'vitest';
import { createService } from '../src/index.js';

const caller = fileURLToPath(new URL('./fixtures/client-only-caller.ts', import.meta.url));

describe('createClient from @tsmicro/service: a process that only calls', () => {
  it('finds a service by name over mDNS, calls it, publishes to it, and exits by itself after close()', async () => {
    const name = `client-only-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const svc = createService({ name, registry: mdnsRegistry({ interface: '127.0.0.1' }), debug: false });
    svc.handle('Greeter', { hello: async (req: { name: string }) => ({ msg: `Hello ${req.name}` }) });
    const received: unknown[] = [];
    svc.subscribe(`${name}.events`, (payload) => {
      received.push(payload);
    });
    await svc.start();
    try {
      const out = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--conditions=source', '--import', 'tsx', caller],
          { timeout: 20_000, env: { ...process.env, SERVICE_NAME: name, TSMICRO_MDNS_INTERFACE: '127.0.0.1' } },
          (err, stdout, stderr) => (err ? reject(new Error(`caller failed or did not exit: ${err.message}\n${stderr}`)) : resolve(stdout)),
        );
      });
      expect(out).toBe('{"msg":"Hello Ada"}\n');
      // http broker: the caller's publish resolved only after this subscriber handled it
      expect(received).toEqual([{ from: 'caller' }]);
    } finally {
      await svc.stop();
    }
  });
});
