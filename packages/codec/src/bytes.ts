import { badRequest } from '@tsmicro/core';
import type { Codec } from './codec.js';

/** Raw bytes (`application/octet-stream`): payloads are `Uint8Array` in and out, no copy. */
export const bytes: Codec = {
  name: 'bytes',
  contentType: 'application/octet-stream',
  encode(value) {
    if (value === undefined) return new Uint8Array(0);
    if (value instanceof Uint8Array) return value;
    throw badRequest(`bytes codec encodes Uint8Array only, got ${typeof value}`);
  },
  decode(data) {
    return data;
  },
};
