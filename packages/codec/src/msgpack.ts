import { Decoder, Encoder } from '@msgpack/msgpack';
import { badRequest } from '@tsmicro/core';
import type { Codec } from './codec.js';
import { sanitize } from './safe.js';

const encoder = new Encoder({ ignoreUndefined: true });
// @msgpack/msgpack builds plain objects key by key, so `__proto__` could become a prototype
// setter; sanitize removes such keys before the value reaches user code.
const decoder = new Decoder();

/** MessagePack codec (`application/msgpack`). */
export const msgpack: Codec = {
  name: 'msgpack',
  contentType: 'application/msgpack',
  encode(value) {
    return value === undefined ? new Uint8Array(0) : encoder.encode(value);
  },
  decode(data) {
    if (data.length === 0) return undefined;
    try {
      return sanitize(decoder.decode(data));
    } catch (e) {
      throw badRequest(`body is not valid msgpack: ${(e as Error).message}`);
    }
  },
};
