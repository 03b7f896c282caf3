import { type Codec, json } from '@tsmicro/codec';

/**
 * The gateway's JSON codec: request bodies arrive as JSON bytes from HTTP and replies leave as
 * JSON bytes, so it forwards bytes untouched both ways instead of parsing and re-serialising each
 * message. The service's own json codec still parses (and drops prototype-reaching keys) on its side.
 * Anything not already bytes (a value the gateway builds itself) is encoded as JSON.
 */
export const passthroughJson: Codec = {
  name: 'json',
  contentType: 'application/json',
  encode: (value) => (value instanceof Uint8Array ? value : json.encode(value)),
  decode: (data) => data,
};
