import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireServer } from '@tsmicro/core/testing';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/stop-exit-child.ts', import.meta.url));
const registryChild = fileURLToPath(new URL('./fixtures/registry-exit-child.ts', import.meta.url));
const natsUp = await requireServer('NATS', 4222);
const redisUp = await requireServer('Redis', 6379);
const etcdUp = await requireServer('etcd', 2379);

/** Runs the child; resolves with its stdout once it exits by itself, rejects when it is still running after `ms`. */
function runChild(kind: string, ms: number, file = child): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('node', ['--conditions=source', '--import', 'tsx', file, kind], { timeout: ms }, (err, stdout, stderr) =>
      err
        ? reject(
            new Error(`the ${kind} child did not exit on its own within ${ms} ms (${err.message}); stdout: ${stdout}; stderr: ${stderr}`),
          )
        : resolve(stdout),
    );
  });
}

describe('svc.stop() leaves nothing running: a given broker is disconnected, the process exits', () => {
  it.runIf(natsUp)('with natsBroker', { timeout: 30_000 }, async () => {
    expect(await runChild('nats', 20_000)).toBe('received\nstopped\n');
  });
  it.runIf(redisUp)('with redisBroker', { timeout: 30_000 }, async () => {
    expect(await runChild('redis', 20_000)).toBe('received\nstopped\n');
  });
});

describe('svc.stop() leaves nothing running: a given registry, not closed by the app, releases its connection once idle', () => {
  it.runIf(etcdUp)('with etcdRegistry (and it serves a second start after that)', { timeout: 40_000 }, async () => {
    expect(await runChild('etcd', 30_000, registryChild)).toBe('called\ncalled\nstopped\n');
  });
  it('with mdnsRegistry (and it serves a second start after that)', { timeout: 40_000 }, async () => {
    expect(await runChild('mdns', 30_000, registryChild)).toBe('called\ncalled\nstopped\n');
  });
});
