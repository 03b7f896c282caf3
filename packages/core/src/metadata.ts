/** Key/value pairs carried with every call and message. Keys are lower-case. */
export type Metadata = Record<string, string>;

/**
 * Instances have an empty, prototype-free object as prototype: `md.constructor` or `md.toString` are
 * undefined and a `__proto__` key is just a key, as with `Object.create(null)`, but V8 keeps them in
 * fast mode (an `Object.create(null)` object is a dictionary: merging and copying one cost twice as much).
 */
const NullProto = function NullProto() {} as unknown as new () => Metadata;
NullProto.prototype = Object.create(null) as object;

/** An empty metadata object without `Object.prototype` behind it. */
export function emptyMetadata(): Metadata {
  return new NullProto();
}

/** True for an object made by {@link mergeMetadata} or {@link emptyMetadata}: its keys were lower-cased on the way in. */
export function isMergedMetadata(md: object): md is Metadata {
  return md instanceof NullProto;
}

/** A fresh metadata object with lower-cased keys; later sources win. Prototype-free, so a `__proto__` key is just a key. */
export function mergeMetadata(...sources: ReadonlyArray<Readonly<Record<string, string>> | undefined>): Metadata {
  const out = emptyMetadata();
  for (const src of sources) {
    if (!src) continue;
    for (const k of Object.keys(src)) {
      const v = src[k];
      if (typeof v === 'string') out[k.toLowerCase()] = v;
    }
  }
  return out;
}
