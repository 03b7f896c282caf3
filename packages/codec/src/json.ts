import { badRequest } from '@tsmicro/core';
import type { Codec } from './codec.js';
import { dropDangerousKeys } from './safe.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether `text` may spell a prototype-reaching key (`__proto__`, `constructor`, `prototype`).
 * Substring checks, not a regex: as cheap on a small body and 20× cheaper on a 16 KiB one. A match
 * inside a value only costs the reviver pass. `\u` catches a key spelled with escapes
 * (`"\u005f_proto__"`), which JSON.parse unescapes into the real key.
 */
function mayHoldDangerousKey(text: string): boolean {
  return text.includes('proto') || text.includes('constructor') || text.includes('\\u');
}

/** JSON codec (`application/json`). `undefined` encodes as an empty body and decodes back. */
export const json: Codec = {
  name: 'json',
  contentType: 'application/json',
  encode(value) {
    // A Buffer is a Uint8Array; Buffer.from slices small strings out of Node's pool instead of
    // allocating a fresh ArrayBuffer per call (about half the cost of TextEncoder on a small body).
    // JSON.stringify gives undefined for undefined, functions and symbols: all an empty body, as before.
    const text: string | undefined = JSON.stringify(value);
    return text === undefined ? new Uint8Array(0) : Buffer.from(text, 'utf8');
  },
  decode(data) {
    if (data.length === 0) return undefined;
    let text: string;
    try {
      text = decoder.decode(data);
    } catch {
      throw badRequest('body is not valid UTF-8 JSON');
    }
    try {
      return mayHoldDangerousKey(text) ? JSON.parse(text, dropDangerousKeys) : JSON.parse(text);
    } catch (e) {
      throw badRequest(`body is not valid JSON: ${(e as Error).message}`);
    }
  },
};
