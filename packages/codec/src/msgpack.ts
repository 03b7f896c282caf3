import { Decoder, Encoder } from '@msgpack/msgpack';
import { badRequest } from '@tsmicro/core';
import type { Codec } from './codec.js';
import { sanitize } from './safe.js';

/**
 * A MessagePack codec (`application/msgpack`) with its own encoder and decoder: the encoder's
 * scratch buffer and the decoder's key cache belong to this codec alone.
 * @example createServer({ name: 'greeter', transport, registry, codecs: [json, msgpackCodec()] })
 */
export function msgpackCodec(): Codec {
  const encoder = new Encoder({ ignoreUndefined: true });
  // @msgpack/msgpack builds plain objects key by key, so `__proto__` could become a prototype
  // setter; sanitize removes such keys before the value reaches user code.
  const decoder = new Decoder();
  return {
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
}

/**
 * The MessagePack codec (`application/msgpack`) that `defaultCodecs` holds: one instance shared
 * by every client and server in the process that uses it. It is stateless by contract (each
 * `encode` and `decode` is synchronous and complete, and no value or setting carries over from one
 * call to the next); only its scratch buffer and key cache are shared. An app that wants its own
 * (say, to keep one service's keys out of another's cache) passes `msgpackCodec()` instead.
 */
export const msgpack: Codec = msgpackCodec();
