/**
 * Protobuf codec (`application/protobuf`) on `@bufbuild/protobuf` v2 generated messages.
 *
 * Wire form: every body is a `google.protobuf.Any` holding the message (type URL
 * `type.googleapis.com/<full.Name>` + its binary encoding). Plain protobuf bytes do not say
 * which message they are, and a codec only sees bytes, so the standard `Any` envelope makes a
 * body self-describing for RPC and pub/sub alike; any protobuf implementation can unpack it.
 * The receiver decodes only types present in the registry it was given.
 */
import { createRegistry, type DescMessage, fromBinary, type Message, type Registry, toBinary } from '@bufbuild/protobuf';
import { badRequest } from '@tsmicro/core';
import type { Codec } from '../codec.js';
import { anyHead, packAny, type Unpacked, unpackAny } from './any.js';

/** Options of {@link protobuf}. */
export interface ProtobufOptions {
  /** The message types this codec may encode and decode: generated `*Schema` descriptors or file descriptors. */
  types: ReadonlyArray<Parameters<typeof createRegistry>[number]>;
}

function isMessage(v: unknown): v is Message {
  return typeof v === 'object' && v !== null && typeof (v as { $typeName?: unknown }).$typeName === 'string';
}

/**
 * @example
 * import { file_greeter } from './gen/greeter_pb.js';
 * createService({ name: 'greeter', codecs: [protobuf({ types: [file_greeter] }), json], contentType: 'application/protobuf' })
 */
export function protobuf(o: ProtobufOptions): Codec {
  const registry: Registry = createRegistry(...o.types);
  /** Each registered type's schema and envelope head, made on first use (bounded by the registry). */
  const known = new Map<string, { desc: DescMessage; head: Uint8Array }>();
  const typeOf = (typeName: string) => {
    let t = known.get(typeName);
    if (t) return t;
    const desc = registry.getMessage(typeName);
    if (!desc) throw badRequest(`protobuf codec: message type '${typeName}' is not registered`);
    t = { desc, head: anyHead(typeName) };
    known.set(typeName, t);
    return t;
  };
  return {
    name: 'protobuf',
    contentType: 'application/protobuf',
    encode(value) {
      if (value === undefined) return new Uint8Array(0);
      if (!isMessage(value)) throw badRequest('protobuf codec encodes generated protobuf messages only (objects with $typeName)');
      const t = typeOf(value.$typeName);
      return packAny(t.head, toBinary(t.desc, value));
    },
    decode(data) {
      if (data.length === 0) return undefined;
      let any: Unpacked;
      try {
        any = unpackAny(data);
      } catch (e) {
        throw badRequest(`body is not valid protobuf: ${(e as Error).message}`);
      }
      const t = typeOf(any.typeName);
      try {
        return fromBinary(t.desc, any.value);
      } catch (e) {
        throw badRequest(`body is not a valid ${any.typeName}: ${(e as Error).message}`);
      }
    },
  };
}
