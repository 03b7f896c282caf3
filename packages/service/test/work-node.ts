import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '@tsmicro/core';
import { createServer } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';

/**
 * A server process for the at-most-once tests: `Work.run` writes the request's id to the shared log
 * file (synchronously, so a SIGKILL cannot lose it) and answers after `ms`. SIGTERM stops it
 * gracefully with the given grace period.
 */
const log = process.env.WORK_LOG ?? '';
const gracePeriod = Number(process.env.GRACE_MS ?? 10_000);
const server = createServer({ name: process.env.WORK_SERVICE ?? 'work', transport: tcpTransport(), gracePeriod });
server.handle('Work', {
  async run(req: { id: string; ms: number }, ctx: Context) {
    appendFileSync(log, `${req.id}\n`);
    await sleep(req.ms, undefined, { signal: ctx.signal }).catch(() => {});
    return { id: req.id, pid: process.pid };
  },
});
await server.start();
process.on('SIGTERM', () => {
  void server.stop().then(() => {
    process.send?.({ type: 'stopped' });
    process.disconnect?.();
  });
});
process.on('disconnect', () => void server.stop());
process.send?.({ type: 'ready', address: server.address, pid: process.pid });
