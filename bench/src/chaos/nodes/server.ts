import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Context, silentLogger } from '@tsmicro/core';
import { bidiStream, serverStream } from '@tsmicro/server';
import { createService } from '@tsmicro/service';
import { tcpTransport } from '@tsmicro/transport';
import { openRegistry, tell } from './discovery.js';
import { type FromServer, leftoverResources, type ServerSpec, sampleResources, type ToChild } from './protocol.js';

/**
 * One chaos server process: service `chaos` over tcp on 127.0.0.1, discovered through the given
 * registry. Graceful on SIGTERM or a `stop` message: stops, reports what is still open, then lets
 * the event loop run dry: a process that does not exit by itself has leaked a socket or timer.
 */

const say = (m: FromServer) => tell(m);
const spec = JSON.parse(process.argv[2] ?? '{}') as ServerSpec;
const registry = await openRegistry(spec.discovery);
const svc = createService({
  name: 'chaos',
  registry,
  transport: tcpTransport(),
  logger: silentLogger(),
  registerTtl: spec.registerTtl,
  registerInterval: spec.registerInterval,
  gracePeriod: spec.gracePeriod,
});

let delayMs = spec.delayMs;
const handlers = {
  async echo(req: { i: number }, _ctx: Context) {
    if (delayMs > 0) await sleep(delayMs);
    return { i: req.i };
  },
  /** Not idempotent: each execution is written down, so the runner can count ids executed twice. */
  async once(req: { id: string }, _ctx: Context) {
    if (spec.executionLog) appendFileSync(spec.executionLog, `${req.id}\n`);
    if (delayMs > 0) await sleep(delayMs);
    return { id: req.id };
  },
  count: serverStream(async function* (req: { n: number }) {
    for (let i = 0; i < req.n; i++) yield { i };
  }),
  chat: bidiStream(async function* (reqs: AsyncIterable<{ i: number }>) {
    for await (const r of reqs) yield r;
  }),
};
svc.handle('Chaos', handlers);

const readyAt = performance.now();
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await svc.stop();
  await registry.close();
  await say({ type: 'stopped', leftover: leftoverResources() });
  process.off('SIGTERM', onTerm);
  if (process.connected) process.disconnect();
};
const onTerm = () => void stop();
process.on('SIGTERM', onTerm);
process.on('message', (raw) => {
  const m = raw as ToChild;
  if (m.type === 'sample') void say({ type: 'sample', sample: sampleResources(performance.now() - readyAt) });
  else if (m.type === 'stop') void stop();
  else if (m.type === 'delay') delayMs = m.ms;
});
// The parent went away without stopping us: an orphan must not outlive the run.
process.on('disconnect', () => {
  if (!stopping) void stop().finally(() => process.exit(1));
});

try {
  await svc.start();
  await say({ type: 'ready', address: svc.server.address, pid: process.pid });
} catch (e) {
  await say({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
