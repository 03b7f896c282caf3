import type { Agent } from 'node:http';
import { internalServerError, type Logger, MicroError, payloadTooLarge, serviceUnavailable } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import type { Directory, Target } from './directory.js';
import { encodeEnvelope } from './envelope.js';
import { post } from './post.js';

/** What one publish needs from its broker. */
export interface PublishContext {
  agent: Agent;
  directory: Directory;
  /** Round-robin position per queue group, shared by the broker's publishes. */
  rr: Map<string, number>;
  timeout: number;
  maxMessageSize: number;
  logger: Logger;
}

/**
 * Delivers to every plain subscriber and to one member of each queue group (round-robin, moving
 * on to the next member when one fails or nacks). Rejects with a `MicroError` naming what could not
 * be delivered. Not failures: a plain subscriber whose handler nacked (it got the message), and a
 * subscription that answers 404 (it left on purpose: unsubscribed or disconnecting after our lookup).
 */
export async function publish(c: PublishContext, topic: string, m: Message, signal: AbortSignal | undefined): Promise<void> {
  const env = encodeEnvelope(topic, m);
  if (env.length > c.maxMessageSize) {
    throw payloadTooLarge(`http broker: message to "${topic}" is ${env.length} bytes, over maxMessageSize ${c.maxMessageSize} bytes`);
  }
  const targets = await c.directory.lookup(topic);
  const groups = new Map<string, Target[]>();
  const jobs: Promise<MicroError | undefined>[] = [];
  for (const t of targets) {
    if (t.queue === undefined) {
      jobs.push(toPlain(c, t, env, signal));
      continue;
    }
    const key = `${t.pattern}\u0000${t.queue}`;
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  for (const [key, members] of groups) jobs.push(toGroup(c, key, members, topic, env, signal));
  const failures = (await Promise.all(jobs)).filter((e): e is MicroError => e !== undefined);
  const first = failures[0];
  if (!first) return;
  if (failures.length === 1) throw first;
  throw new MicroError({ code: first.code, detail: failures.map((f) => f.detail).join('; ') });
}

type Envelope = Uint8Array;

async function send(c: PublishContext, t: Target, env: Envelope, signal: AbortSignal | undefined) {
  const r = await post({ agent: c.agent, address: t.address, id: t.id, body: env, timeout: c.timeout, signal });
  // 503 (unreachable, closing) and 404 (unsubscribed) mean our view is stale: ask the registry next time.
  if (!r.ok && (r.error.code === 503 || r.error.code === 404)) c.directory.invalidate();
  return r;
}

async function toPlain(c: PublishContext, t: Target, env: Envelope, signal: AbortSignal | undefined): Promise<MicroError | undefined> {
  const r = await send(c, t, env, signal);
  if (r.ok) return undefined;
  if (r.error.code === 500 || r.error.code === 404) {
    c.logger.debug({ subscriber: t.id, topic: t.pattern, err: r.error }, 'http broker: subscriber nacked or left');
    return undefined;
  }
  return r.error;
}

async function toGroup(
  c: PublishContext,
  key: string,
  members: Target[],
  topic: string,
  env: Envelope,
  signal: AbortSignal | undefined,
): Promise<MicroError | undefined> {
  const start = c.rr.get(key) ?? 0;
  c.rr.set(key, start + 1);
  const queue = members[0]?.queue ?? '';
  const errors: MicroError[] = [];
  for (let i = 0; i < members.length; i++) {
    const t = members[(start + i) % members.length]!;
    const r = await send(c, t, env, signal);
    if (r.ok) return undefined;
    errors.push(r.error);
    c.logger.debug({ subscriber: t.id, queue, err: r.error }, 'http broker: queue member failed; trying the next');
    if (!r.retry) return r.error;
  }
  const real = errors.filter((e) => e.code !== 404);
  if (real.length === 0) return undefined; // the whole group left on purpose
  const last = real[real.length - 1]?.detail ?? 'no member';
  const what = `message on "${topic}" for queue group "${queue}": all ${members.length} member(s) failed (last: ${last})`;
  return real.every((e) => e.code === 500)
    ? internalServerError(`http broker: every member nacked the ${what}`)
    : serviceUnavailable(`http broker: undeliverable ${what}`);
}
