/** One stream entry; `fields` is undefined when the entry was trimmed away while still pending. */
export interface Entry {
  id: string;
  fields: Map<string, Buffer> | undefined;
}

const str = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

function parseEntry(raw: unknown): Entry | undefined {
  if (!Array.isArray(raw) || raw.length < 2) return undefined;
  const [id, flat] = raw as [unknown, unknown];
  if (!Array.isArray(flat)) return { id: str(id), fields: undefined };
  const fields = new Map<string, Buffer>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const v: unknown = flat[i + 1];
    fields.set(str(flat[i]), Buffer.isBuffer(v) ? v : Buffer.from(str(v)));
  }
  return { id: str(id), fields };
}

/** Entries of a list as found in XRANGE / XAUTOCLAIM replies. */
export function parseEntryList(raw: unknown): Entry[] {
  if (!Array.isArray(raw)) return [];
  return raw.map(parseEntry).filter((e): e is Entry => e !== undefined);
}

/**
 * Entries of an XREADGROUP reply on one stream; empty when it timed out or was unblocked (null).
 * RESP2 answers `[[key, entries]]`; RESP3 (ioredis 6's default) a map, which raw calls see as
 * `[key, entries]`.
 */
export function parseReadGroup(raw: unknown): Entry[] {
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const first: unknown = raw[0];
  if (Array.isArray(first)) return parseEntryList(first[1]);
  return parseEntryList(raw[1]);
}

/** XAUTOCLAIM reply: the next cursor, the claimed entries, and ids that no longer exist. */
export function parseAutoClaim(raw: unknown): { cursor: string; entries: Entry[]; deleted: string[] } {
  if (!Array.isArray(raw)) return { cursor: '0-0', entries: [], deleted: [] };
  const deleted: unknown = raw[2];
  return {
    cursor: str(raw[0]),
    entries: parseEntryList(raw[1]),
    deleted: Array.isArray(deleted) ? deleted.map(str) : [],
  };
}
