import type { Message } from '../transport.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A message with a `seq` header and a text body. */
export function msg(seq: number, body = `m${seq}`, header: Record<string, string> = {}): Message {
  return { header: { ...header, seq: String(seq) }, body: encoder.encode(body) };
}

/** The body of a message as text. */
export function text(m: Message): string {
  return decoder.decode(m.body);
}

/** Polls `fn` every `everyMs` until it returns true; throws after `withinMs`. */
export async function until(fn: () => boolean, withinMs = 5000, everyMs = 5): Promise<void> {
  const end = Date.now() + withinMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves once `read()` returns the same value for `stableFor` ms in a row (a producer stalled); throws after `withinMs`. */
export async function stalls(read: () => number, stableFor = 150, withinMs = 10_000): Promise<number> {
  const end = Date.now() + withinMs;
  let last = read();
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 10));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= stableFor) {
      return now;
    }
    if (Date.now() > end) throw new Error(`value kept changing for ${withinMs} ms (last ${now})`);
  }
}
