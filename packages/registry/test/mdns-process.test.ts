import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mdnsRegistry } from '../src/mdns/index.js';
import type { Registry, WatchEvent } from '../src/registry.js';
import { ensureLoopbackMulticast, nextMatching, uniqueName, waitFor } from '../src/testing/index.js';

const port = 40_000 + Math.floor(Math.random() * 20_000);
const child = fileURLToPath(new URL('./mdns-registrant.ts', import.meta.url));
const now = () => performance.timeOrigin + performance.now();

describe('mdnsRegistry across processes (loopback multicast)', () => {
  let proc: ChildProcess | undefined;
  let registry: Registry | undefined;
  beforeAll(async () => {
    const problem = await ensureLoopbackMulticast(port);
    if (problem) throw new Error(problem);
  });
  afterEach(async () => {
    proc?.kill('SIGKILL');
    await registry?.close();
  });

  it('sees a child process register, and the node disappears within its ttl after SIGKILL', async () => {
    const ttl = 600;
    const samples = 10;
    const name = uniqueName('child');
    registry = mdnsRegistry({ interface: '127.0.0.1', port });
    const w = registry.watch()[Symbol.asyncIterator]();
    proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', child], {
      env: { ...process.env, MDNS_PORT: String(port), SERVICE_NAME: name, SAMPLES: String(samples), TTL: String(ttl) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const latencies: number[] = [];
    let created: WatchEvent | undefined;
    while (!created) {
      const e = await nextMatching(w, (ev) => ev.action === 'create' && ev.service.name.startsWith(name), 15_000);
      const t0 = Number(e.service.nodes[0]?.metadata.t0);
      if (e.service.name === name) created = e;
      else latencies.push(now() - t0);
    }
    expect(created.service.nodes[0]?.id).toBe(`child-${proc.pid}`);
    // alive well past its ttl thanks to the child's heartbeat
    await new Promise((r) => setTimeout(r, 2 * ttl));
    expect((await registry.getService(name)).map((s) => s.nodes.length)).toEqual([1]);

    const killedAt = now();
    proc.kill('SIGKILL');
    const gone = await nextMatching(w, (ev) => ev.action === 'delete' && ev.service.name === name, ttl + 2000);
    const vanished = now() - killedAt;
    expect(gone.service.nodes[0]?.id).toBe(`child-${proc.pid}`);
    expect(vanished).toBeLessThanOrEqual(ttl + 400);
    await waitFor(async () => (await registry!.getService(name)).length === 0);
    await w.return?.();

    latencies.sort((a, b) => a - b);
    expect(latencies).toHaveLength(samples);
    const p50 = latencies[Math.floor(samples / 2)]!;
    process.stderr.write(
      `[mdns] cross-process register→watch: p50 ${p50.toFixed(2)} ms, max ${latencies[samples - 1]!.toFixed(2)} ms; ` +
        `gone ${vanished.toFixed(0)} ms after SIGKILL (ttl ${ttl} ms)\n`,
    );
  });
});
