import { badRequest, conflict } from '@tsmicro/core';
import type { JetStreamManager } from 'nats';
import type { ResolvedNatsOptions } from './options.js';

type Nats = typeof import('nats');

/** True when every subject matched by `topic` is also matched by `pattern` (NATS token rules). */
export function covers(pattern: string, topic: string): boolean {
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    const pt = p[i];
    const tt = t[i];
    if (pt === '>') return tt !== undefined;
    if (tt === undefined || tt === '>') return false;
    if (pt === '*') continue;
    if (pt !== tt) return false;
  }
  return p.length === t.length;
}

/** A stream name for a topic: readable, plus a hash so `a.b` and `a_b` never collide. */
export function streamNameFor(prefix: string, topic: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) h = Math.imul(h ^ topic.charCodeAt(i), 0x01000193) >>> 0;
  const readable = topic
    .replaceAll('*', 'STAR')
    .replaceAll('>', 'ALL')
    .replace(/[^A-Za-z0-9_-]/g, '_');
  return `${prefix}${readable}_${h.toString(16).padStart(8, '0')}`;
}

/** Consumer (durable) names may not contain subject or path syntax. */
export function checkDurableName(durable: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(durable)) {
    throw badRequest(`durable name ${JSON.stringify(durable)} may only contain letters, digits, '_' and '-'`);
  }
}

const notFound = (e: unknown) => /not found|no stream matches/i.test((e as Error).message);

/**
 * Returns a stream that stores `topic`: an existing stream covering it, else a new one (or the
 * configured `stream`, extended by the topic). A stream that overlaps the topic without covering
 * it is a conflict JetStream cannot resolve for us, so it is reported instead of guessed at.
 */
export async function ensureStream(nats: Nats, jsm: JetStreamManager, topic: string, o: ResolvedNatsOptions): Promise<string> {
  const fixed = o.stream;
  let found: string | undefined = fixed;
  if (found === undefined) {
    found = await jsm.streams.find(topic).catch((e: unknown) => {
      if (notFound(e)) return undefined;
      throw e;
    });
  }
  const info =
    found === undefined ? undefined : await jsm.streams.info(found).catch((e: unknown) => (notFound(e) ? undefined : Promise.reject(e)));
  const name = found ?? streamNameFor(o.streamPrefix, topic);
  if (info === undefined) {
    await jsm.streams.add({
      name,
      subjects: [topic],
      storage: nats.StorageType.File,
      retention: nats.RetentionPolicy.Limits,
      max_age: nats.nanos(o.streamMaxAge),
    });
    return name;
  }
  const subjects = info.config.subjects ?? [];
  if (subjects.some((s) => covers(s, topic))) return name;
  if (fixed === undefined) {
    throw conflict(
      `durable topic ${topic} overlaps JetStream stream ${name} (subjects ${subjects.join(', ')}) which does not cover it; use the 'stream' option or a covering stream`,
    );
  }
  await jsm.streams.update(name, { ...info.config, subjects: [...subjects, topic] });
  return name;
}

/** Creates (or confirms) the pull consumer `durable` on `stream` for `topic`, with explicit acks. */
export async function ensureConsumer(
  nats: Nats,
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  topic: string,
  o: ResolvedNatsOptions,
): Promise<void> {
  const existing = await jsm.consumers.info(stream, durable).catch((e: unknown) => (notFound(e) ? undefined : Promise.reject(e)));
  if (existing !== undefined) {
    const filter = existing.config.filter_subject ?? '';
    if (filter !== topic) {
      throw conflict(`durable ${durable} on stream ${stream} already follows ${filter || 'the whole stream'}, not ${topic}`);
    }
    if (existing.config.ack_wait !== nats.nanos(o.ackWait)) {
      await jsm.consumers.update(stream, durable, { ack_wait: nats.nanos(o.ackWait) });
    }
    return;
  }
  await jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: nats.AckPolicy.Explicit,
    // A new durable starts at "now"; from then on it misses nothing, even while no subscriber runs.
    deliver_policy: nats.DeliverPolicy.New,
    ack_wait: nats.nanos(o.ackWait),
    filter_subject: topic,
  });
}
