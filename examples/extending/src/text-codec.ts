import type { Codec } from '@tsmicro/codec';
import { badRequest } from '@tsmicro/core';

const encoder = new TextEncoder();
// fatal: bytes that are not UTF-8 are refused rather than turned into U+FFFD.
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A codec for plain text (`text/plain`): strings go out as UTF-8, bodies come back as strings.
 * Anything else fails with a 400 `MicroError`, on the way out and on the way in.
 * @example createService({ name: 'echo', codecs: [text, ...defaultCodecs] })
 */
export const text: Codec = {
  name: 'text',
  contentType: 'text/plain',
  encode(value) {
    if (typeof value !== 'string') throw badRequest(`text codec: can only encode strings, got ${typeof value}`);
    return encoder.encode(value);
  },
  decode(data) {
    try {
      return decoder.decode(data);
    } catch (e) {
      throw badRequest('text codec: body is not valid UTF-8', { cause: e });
    }
  },
};
