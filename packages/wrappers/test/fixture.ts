import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@tsmicro/core';
import { pino } from 'pino';

// One server-and-client pair for both packages' tests: wrappers depends on the service, so it may use the service's.
export { type Pair, pair as startPair } from '../../service/test/fixtures.js';

/** A real pino logger writing JSON lines into memory. */
export function captureLogger(level = 'trace'): { logger: Logger; text(): string; lines(): Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const logger = pino({ level }, { write: (s: string) => void chunks.push(s) });
  return {
    logger,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Polls `cond` every 5 ms until true; fails after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}

/** The rejection of `p` (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
