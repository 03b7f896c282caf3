import { badRequest } from '@tsmicro/core';
import { bytes } from './bytes.js';
import type { Codec } from './codec.js';
import { json } from './json.js';
import { msgpack } from './msgpack.js';

/** The codecs a service speaks unless told otherwise. */
export const defaultCodecs: readonly Codec[] = [json, msgpack, bytes];

/** Looks codecs up by content type (parameters such as `; charset=utf-8` are ignored). */
export interface CodecSet {
  readonly codecs: readonly Codec[];
  /** The codec for `contentType`; throws `badRequest` naming the type when none matches. */
  get(contentType: string): Codec;
  has(contentType: string): boolean;
}

/** @example codecSet([json, msgpack]).get('application/json') */
export function codecSet(codecs: readonly Codec[] = defaultCodecs): CodecSet {
  const byType = new Map<string, Codec>();
  for (const c of codecs) byType.set(c.contentType, c);
  const find = (ct: string) => byType.get(ct) ?? byType.get(ct.split(';', 1)[0]?.trim().toLowerCase() ?? '');
  return {
    codecs,
    has: (ct) => find(ct) !== undefined,
    get(ct) {
      const c = find(ct);
      if (!c) throw badRequest(`unsupported content type '${ct}' (supported: ${[...byType.keys()].join(', ')})`);
      return c;
    },
  };
}
