/** Key/value pairs carried with every call and message. Keys are lower-case. */
export type Metadata = Record<string, string>;

/** A fresh metadata object with lower-cased keys; later sources win. Prototype-free, so a `__proto__` key is just a key. */
export function mergeMetadata(...sources: ReadonlyArray<Readonly<Record<string, string>> | undefined>): Metadata {
  const out: Metadata = Object.create(null) as Metadata;
  for (const src of sources) {
    if (!src) continue;
    for (const k of Object.keys(src)) {
      const v = src[k];
      if (typeof v === 'string') out[k.toLowerCase()] = v;
    }
  }
  return out;
}
