import { badRequest } from '@tsmicro/core';

/**
 * Topics are dot-separated tokens (`orders.eu.created`). In a subscription pattern `*` matches
 * exactly one token and `>` (only as the last token) matches one or more trailing tokens: the
 * NATS rules, the same in every broker.
 */

const WHITESPACE = /\s/;

function tokens(kind: 'topic' | 'pattern', s: string): string[] {
  if (typeof s !== 'string' || s.length === 0) throw badRequest(`broker: empty ${kind}`);
  if (WHITESPACE.test(s)) throw badRequest(`broker: ${kind} "${s}" contains whitespace`);
  const parts = s.split('.');
  for (const t of parts) if (t.length === 0) throw badRequest(`broker: ${kind} "${s}" has an empty token`);
  return parts;
}

/**
 * Throws a 400 `MicroError` unless `topic` is a valid topic to publish to: non-empty tokens,
 * no whitespace, no wildcard tokens.
 */
export function validateTopic(topic: string): void {
  for (const t of tokens('topic', topic)) {
    if (t === '*' || t === '>') throw badRequest(`broker: cannot publish to "${topic}": wildcard "${t}" is only allowed in subscriptions`);
  }
}

/** {@link validateTopic} with a memory of the topics it passed. */
export type TopicCheck = (topic: string) => void;

const KNOWN_TOPICS_MAX = 1024;

/**
 * A {@link validateTopic} for one broker, remembering the topics it found valid. Publishers send
 * to few topics many times, and splitting and scanning each on every publish was the largest single
 * cost of a small publish. The memory is emptied when full, so it stays bounded whatever topics come
 * by, and each broker has its own.
 * @example const checkTopic = topicCheck(); checkTopic('orders.created')
 */
export function topicCheck(): TopicCheck {
  const known = new Set<string>();
  return (topic) => {
    if (known.has(topic)) return;
    validateTopic(topic);
    if (known.size >= KNOWN_TOPICS_MAX) known.clear();
    known.add(topic);
  };
}

/** Throws a 400 `MicroError` unless `pattern` is a valid subscription pattern (`>` only as the last token). */
export function validatePattern(pattern: string): void {
  const parts = tokens('pattern', pattern);
  const gt = parts.indexOf('>');
  if (gt !== -1 && gt !== parts.length - 1) throw badRequest(`broker: pattern "${pattern}": ">" must be the last token`);
}

/** A validated pattern compiled to a matcher of topics. */
export type TopicMatcher = (topic: string) => boolean;

/**
 * Validates `pattern` and returns a function telling whether a (valid) topic matches it.
 * @example compilePattern('orders.*.>')('orders.eu.created.v1') // true
 */
export function compilePattern(pattern: string): TopicMatcher {
  validatePattern(pattern);
  if (!pattern.includes('*') && !pattern.includes('>')) return (topic) => topic === pattern;
  const parts = pattern.split('.');
  const tail = parts[parts.length - 1] === '>';
  const fixed = tail ? parts.length - 1 : parts.length;
  return (topic) => {
    const t = topic.split('.');
    if (tail ? t.length <= fixed : t.length !== fixed) return false;
    for (let i = 0; i < fixed; i++) {
      const p = parts[i];
      if (p !== '*' && p !== t[i]) return false;
    }
    return true;
  };
}

/** True when `topic` matches subscription `pattern`. Validates the pattern; prefer {@link compilePattern} on hot paths. */
export function matchTopic(pattern: string, topic: string): boolean {
  return compilePattern(pattern)(topic);
}
