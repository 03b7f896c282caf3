export { bytes } from './bytes.js';
export type { Codec } from './codec.js';
export { json } from './json.js';
export { msgpack, msgpackCodec } from './msgpack.js';
export { anyHead, anyValue, packAny, type Unpacked, unpackAny } from './proto/any.js';
export { type Field, readFields } from './proto/fields.js';
export { type CodecSet, codecSet, defaultCodecs } from './registry.js';
