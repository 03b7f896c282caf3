import type { Codec } from '@tsmicro/codec';
import { badRequest, isMicroError, type MicroError } from '@tsmicro/core';

/**
 * `codec.encode(value)`, with a value the codec cannot encode (a cycle, a BigInt for JSON, …) turned
 * into a 400 that names the call and the codec, instead of the codec's raw TypeError.
 * @example const body = encodeRequest(json, req, 'greeter.Greeter.hello')
 */
export function encodeRequest(codec: Codec, value: unknown, what: string): Uint8Array {
  try {
    return codec.encode(value);
  } catch (e) {
    throw unencodable(codec, e, what);
  }
}

/**
 * The error of a failed `codec.encode` as {@link encodeRequest} reports it: a MicroError as it is,
 * anything else a 400 naming the call and the codec.
 * @example try { body = codec.encode(req) } catch (e) { throw unencodable(codec, e, name) }
 */
export function unencodable(codec: Codec, e: unknown, what: string): MicroError {
  if (isMicroError(e)) return e;
  const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return badRequest(
    `cannot encode the request of ${what} as ${codec.contentType}: ${why}; send plain data the codec can represent (no cycles; no BigInt with JSON)`,
    { cause: e },
  );
}
