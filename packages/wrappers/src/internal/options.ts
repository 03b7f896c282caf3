import type { Metadata } from '@tsmicro/core';

/**
 * A copy of call or publish options with other metadata. A `for…in` copy: measured under callgrind
 * it costs fewer instructions per call than `Object.assign`, whose generic builtin
 * (`SetDataProperties`) took about 550, and `{ ...o, metadata }` is slower still. Its keyed stores
 * are still megamorphic; options have no symbol keys to lose.
 */
export function withMetadata<T extends { metadata?: Metadata }>(o: T, metadata: Metadata): T {
  const copy = {} as Record<string, unknown>;
  // Inherited options too: the copy must read as the original does.
  for (const k in o) copy[k] = o[k];
  copy.metadata = metadata;
  return copy as T;
}
