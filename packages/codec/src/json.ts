import { badRequest } from '@tsmicro/core';
import type { Codec } from './codec.js';
import { dropDangerousKeys } from './safe.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
// Strings are fast-pathed: only keys can pollute, and a string has none.
const mayHoldDangerousKey = /"(?:__proto__|constructor|prototype)"\s*:/;

/** JSON codec (`application/json`). `undefined` encodes as an empty body and decodes back. */
export const json: Codec = {
  name: 'json',
  contentType: 'application/json',
  encode(value) {
    return value === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(value));
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
      return mayHoldDangerousKey.test(text) ? JSON.parse(text, dropDangerousKeys) : JSON.parse(text);
    } catch (e) {
      throw badRequest(`body is not valid JSON: ${(e as Error).message}`);
    }
  },
};
