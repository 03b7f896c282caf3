/**
 * Chaos scenario 3, broker restart: a durable subscription on NATS JetStream and on Redis Streams
 * receives n messages (50,000; quick 10,000) while (a) the broker process is SIGKILLed and started
 * again mid-run, and (b) the subscriber process is SIGKILLed and started again mid-run. Each broker
 * is a private server on a free loopback port with its store in a temp dir (JetStream file store;
 * Redis AOF), so the shared 4222/6379 servers are never touched.
 * Target: every message the broker acknowledged is handled at least once (lost = 0); duplicates
 * are counted, publishes that failed after retries count as not sent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChaosScenario, ScenarioContext, ScenarioResult } from '../scenario.js';
import { type CaseFigures, runCase } from './broker/case.js';
import { type PrivateServer, privateNats, privateRedis } from './broker/servers.js';

const TARGET = 'every acknowledged message handled at least once (lost = 0); duplicates reported';

async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const n = ctx.quick ? 10_000 : 50_000;
  const dir = await mkdtemp(join(tmpdir(), 'tsmicro-chaos-broker-'));
  const figures: Record<string, string | number> = { messages: n };
  const failures: string[] = [];
  let servers: PrivateServer[] = [];
  try {
    servers = [await privateNats(), await privateRedis()];
    for (const server of servers) {
      for (const chaos of ['broker', 'subscriber'] as const) {
        if (ctx.signal.aborted) throw new Error('aborted');
        const label = `${server.kind} ${chaos} restart`;
        ctx.log(`${label}: ${n} messages`);
        const f: CaseFigures = await runCase(ctx, { server, chaos, n, downMs: 1000, drainMs: 30_000, dir });
        ctx.log(
          `${label}: sent ${f.sent}/${f.attempted} (not sent ${f.notSent}, retries ${f.publishRetries}), handled unique ${f.handledUnique}, ` +
            `duplicates ${f.duplicates}, lost ${f.lost}, downtime ${f.downtimeMs} ms, longest publish gap ${f.longestPublishGapMs} ms, ` +
            `publish ${f.publishMs} ms, drain ${f.drainMs} ms`,
        );
        const key = `${server.kind}/${chaos}`;
        figures[`${key} sent`] = f.sent;
        figures[`${key} not sent`] = f.notSent;
        figures[`${key} handled unique`] = f.handledUnique;
        figures[`${key} duplicates`] = f.duplicates;
        figures[`${key} lost`] = f.lost;
        figures[`${key} downtime ms`] = f.downtimeMs;
        if (f.lost > 0) failures.push(`${key}: ${f.lost} acknowledged messages never handled`);
        if (f.sent === 0) failures.push(`${key}: nothing was sent`);
      }
    }
  } catch (e) {
    failures.push(`error: ${(e as Error).message}`);
  } finally {
    await Promise.allSettled(servers.map((s) => s.destroy()));
    await rm(dir, { recursive: true, force: true });
  }
  return {
    name: scenario.name,
    pass: failures.length === 0,
    target: TARGET,
    figures,
    ...(failures.length > 0 ? { notes: failures.join('; ') } : {}),
  };
}

export const scenario: ChaosScenario = { name: 'broker-restart', budgetSeconds: 90, run };
