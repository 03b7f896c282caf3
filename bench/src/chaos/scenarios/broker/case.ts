import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Broker } from '@tsmicro/broker';
import { natsBroker } from '@tsmicro/broker/nats';
import { redisBroker } from '@tsmicro/broker/redis';
import type { ScenarioContext } from '../../scenario.js';
import { kill, pause, until } from './net.js';
import { publishAll } from './publisher.js';
import { recordTally } from './record.js';
import type { PrivateServer } from './servers.js';

const subscriberFile = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './subscriber.ts' : './subscriber.js', import.meta.url));

/** One run: `n` messages on a durable subscription while `chaos` (the broker or the subscriber) is killed and restarted. */
export interface CaseSpec {
  server: PrivateServer;
  chaos: 'broker' | 'subscriber';
  n: number;
  /** How long the killed process stays down before it is started again. */
  downMs: number;
  /** Bound on waiting for every sent message to be handled after publishing ended. */
  drainMs: number;
  dir: string;
}

export interface CaseFigures {
  attempted: number;
  sent: number;
  notSent: number;
  publishRetries: number;
  handledUnique: number;
  duplicates: number;
  lost: number;
  /** Handled although the publish was counted as not sent (its ack was lost). */
  handledNotSent: number;
  downtimeMs: number;
  longestPublishGapMs: number;
  publishMs: number;
  drainMs: number;
}

function publisherBroker(s: PrivateServer): Broker {
  return s.kind === 'nats'
    ? natsBroker({ servers: `127.0.0.1:${s.port}`, reconnectTimeWait: 100, publishTimeout: 5000 })
    : // maxLen far above n: trimming would drop entries a stopped subscriber has not read yet.
      redisBroker({ port: s.port, maxReconnectDelay: 100, publishTimeout: 5000, maxLen: 1_000_000 });
}

export async function runCase(ctx: ScenarioContext, spec: CaseSpec): Promise<CaseFigures> {
  const { server, n } = spec;
  const label = `${server.kind}/${spec.chaos}`;
  const topic = `chaos.${server.kind}.${spec.chaos}.${randomBytes(4).toString('hex')}`;
  const file = join(spec.dir, `${server.kind}-${spec.chaos}.log`);
  await writeFile(file, '');
  const tally = recordTally(file, n);
  const children = new Set<ChildProcess>();
  const spawnSubscriber = async () => {
    const before = tally.ready;
    const child = ctx.spawnNode(subscriberFile, [server.kind, String(server.port), topic, 'chaos-durable', file, '240000']);
    children.add(child);
    child.once('exit', () => children.delete(child));
    await until(
      `${label}: subscriber ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${label}: subscriber exited (code ${child.exitCode}) before it was ready`);
        await tally.refresh();
        return tally.ready > before ? true : undefined;
      },
      15_000,
      50,
      ctx.signal,
    );
    return child;
  };

  const pub = publisherBroker(server);
  const stopPublishing = new AbortController();
  const onAbort = () => stopPublishing.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    let subscriber = await spawnSubscriber();
    await pub.connect();
    const run = publishAll(pub, topic, { n, concurrency: 32, attempts: 5, signal: stopPublishing.signal });

    // Mid-run: once about a third is acknowledged, kill the broker or the subscriber, keep publishing.
    await until(`${label}: a third published`, () => (run.sent >= n / 3 || run.finished ? true : undefined), 60_000, 5, ctx.signal);
    const t0 = performance.now();
    if (spec.chaos === 'broker') {
      await server.stop('SIGKILL');
      ctx.log(`  ${label}: broker killed at ${run.sent} sent`);
      await pause(spec.downMs, ctx.signal);
      await server.start();
    } else {
      await kill(subscriber, 'SIGKILL');
      await tally.refresh();
      ctx.log(`  ${label}: subscriber killed at ${run.sent} sent, ${tally.records} handled`);
      await pause(spec.downMs, ctx.signal);
      subscriber = await spawnSubscriber();
    }
    const downtimeMs = Math.round(performance.now() - t0);
    const stats = await run.done;

    const drainStart = performance.now();
    const missing = () => {
      let m = 0;
      for (let seq = 0; seq < n; seq++) if (stats.sentMask[seq] === 1 && tally.count(seq) === 0) m++;
      return m;
    };
    await until(
      `${label}: every sent message handled`,
      async () => {
        await tally.refresh();
        return missing() === 0 ? true : undefined;
      },
      spec.drainMs,
      100,
      ctx.signal,
    ).catch((e: unknown) => ctx.log(`  ${label}: ${(e as Error).message}`));
    const drainMs = Math.round(performance.now() - drainStart);
    await kill(subscriber, 'SIGTERM');
    await tally.refresh();

    let handledUnique = 0;
    let handledNotSent = 0;
    for (let seq = 0; seq < n; seq++) {
      if (tally.count(seq) > 0) {
        handledUnique++;
        if (stats.sentMask[seq] !== 1) handledNotSent++;
      }
    }
    return {
      attempted: stats.attempted,
      sent: stats.sent,
      notSent: stats.notSent,
      publishRetries: stats.retries,
      handledUnique,
      duplicates: tally.records - handledUnique,
      lost: missing(),
      handledNotSent,
      downtimeMs,
      longestPublishGapMs: stats.longestGapMs,
      publishMs: stats.elapsedMs,
      drainMs,
    };
  } finally {
    stopPublishing.abort();
    ctx.signal.removeEventListener('abort', onAbort);
    await Promise.all([...children].map((c) => kill(c, 'SIGKILL')));
    await pub.disconnect().catch(() => undefined);
    if (!server.running) await server.start().catch(() => undefined);
  }
}
