import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '@tsmicro/core';
import { createServer } from '@tsmicro/server';
import { tcpTransport } from '@tsmicro/transport';
import { serveUntilStopped } from '../serve-process.js';

/**
 * One node of the skewed-nodes bench, run as its own process:
 * `node --conditions=source --import tsx slow-server.ts <label> <delayMs>`. Serves `Bench.echo`,
 * which waits `delayMs` (the node's simulated service time) before answering with its label;
 * prints `{"address":…}` on one stdout line once listening; stops on SIGTERM or when stdin
 * closes (the parent died).
 */

const [label = 'node', delayArg = '1'] = process.argv.slice(2);
const delayMs = Number(delayArg);

const server = createServer({ name: 'bench', address: '127.0.0.1:0', transport: tcpTransport() });
server.handle('Bench', {
  async echo(req: { name?: string }, ctx: Context) {
    // A timer, not a busy loop: the bench runs on small machines, and a slow node must not also slow the others' CPU.
    await sleep(delayMs, undefined, { signal: ctx.signal }).catch(() => {});
    return { msg: `Hello ${req.name ?? ''}`, node: label };
  },
});
await serveUntilStopped(server);
