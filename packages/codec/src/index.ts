export { bytes } from './bytes.js';
export type { Codec } from './codec.js';
export { json } from './json.js';
export { msgpack, msgpackCodec } from './msgpack.js';
export { type CodecSet, codecSet, defaultCodecs } from './registry.js';
