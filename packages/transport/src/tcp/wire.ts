import { badRequest } from '@tsmicro/core';

/**
 * The tcp wire format (docs/protocol.md, "Framing"): preface, frame types and the header codec.
 * Headers are written straight into the caller's buffer with no intermediate objects; strings in
 * {@link STATIC_TABLE} cost one byte and decode without allocating.
 */

/**
 * Protocol version carried in the preface. 2: large messages travel as interleaved parts and the
 * connection has a byte window (version 1 sent every message as one frame, with no window).
 */
export const VERSION = 2;
/** `TSMICRO` followed by the version byte. */
export const MAGIC = Buffer.from('TSMICRO', 'latin1');
export const PREFACE = Buffer.concat([MAGIC, Buffer.from([VERSION])]);

/**
 * Frame types (the byte after the length): a whole message, ping and pong, the first part and a
 * further part of a message split into parts, and a connection window grant.
 */
export const FrameType = { message: 0, ping: 1, pong: 2, first: 3, more: 4, window: 5 } as const;

/** Connection window (bytes of message, first and more frames, counted by their length field) before the peer's first grant. */
export const INITIAL_CONNECTION_WINDOW = 64 * 1024;
/** A connection window never exceeds this (a grant that would push it past is a protocol error). */
export const MAX_CONNECTION_WINDOW = 0x7fffffff;

/** Bytes of the length prefix plus the type byte. */
export const FRAME_HEAD = 5;

/**
 * Strings sent as one byte (index 0–63). Part of protocol version 1: append-only within a
 * version, never reorder.
 */
export const STATIC_TABLE: readonly string[] = [
  'Micro-Id',
  'Micro-Frame',
  'Micro-Service',
  'Micro-Endpoint',
  'Content-Type',
  'Micro-Error',
  'Micro-Timeout',
  'Micro-Window',
  'Micro-Stream',
  'Micro-Topic',
  'request',
  'data',
  'last',
  'end',
  'error',
  'cancel',
  'window',
  'ping',
  'pong',
  'application/json',
  'application/msgpack',
  'application/octet-stream',
  'application/protobuf',
  '',
  '0',
  '1',
  // Version 2: compression (docs/protocol.md, "Compression").
  'Micro-Encoding',
  'Micro-Accept-Encoding',
  'gzip',
  'deflate',
  'br',
  'zstd',
  'br,gzip,deflate',
  'zstd,br,gzip,deflate',
];

const STATIC_INDEX = new Map(STATIC_TABLE.map((s, i) => [s, i]));
const STATIC_MAX_LEN = Math.max(...STATIC_TABLE.map((s) => s.length));

/**
 * Which (length, first character) pairs some static string has. Most strings a frame carries are
 * not static (names, ids, metadata values), and a fresh one would be hashed just to miss in the Map:
 * this answers no first, for the price of one array read.
 */
const STATIC_STARTS = new Uint8Array((STATIC_MAX_LEN + 1) * 128);
for (const s of STATIC_TABLE) STATIC_STARTS[startKey(s)] = 1;

function startKey(s: string): number {
  const c = s.length === 0 ? 0 : s.charCodeAt(0);
  return c < 128 ? s.length * 128 + c : 0;
}

/** String tags: 0x00–0x3f static index, 0x40–0x7f short literal (length in the low 6 bits), then u16 / u32 lengths. */
const SHORT = 0x40;
const LIT16 = 0x80;
const LIT32 = 0x81;

/** Bytes a header can take at most (used only when the fast path ran out of room). */
export function headerBound(header: Readonly<Record<string, string>>): number {
  let n = 2;
  for (const k in header) n += 10 + 3 * (k.length + (header[k]?.length ?? 0));
  return n;
}

function writeString(buf: Buffer, p: number, s: string): number {
  const n = s.length;
  if (p + 5 + 3 * n > buf.length) return -1;
  if (n <= STATIC_MAX_LEN && STATIC_STARTS[startKey(s)] === 1) {
    const idx = STATIC_INDEX.get(s);
    if (idx !== undefined) {
      buf[p] = idx;
      return p + 1;
    }
  }
  if (n < 64) {
    // ASCII fast path: a JS loop beats a native call for short strings.
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p + 1 + i] = c;
    }
    if (i === n) {
      buf[p] = SHORT | n;
      return p + 1 + n;
    }
  }
  const len = Buffer.byteLength(s, 'utf8');
  if (len < 64) {
    buf[p] = SHORT | len;
    return p + 1 + buf.write(s, p + 1, 'utf8');
  }
  if (len <= 0xffff) {
    buf[p] = LIT16;
    buf.writeUInt16BE(len, p + 1);
    return p + 3 + buf.write(s, p + 3, 'utf8');
  }
  buf[p] = LIT32;
  buf.writeUInt32BE(len, p + 1);
  return p + 5 + buf.write(s, p + 5, 'utf8');
}

/** Writes `header` at `p`: u16 count, then key and value strings. Returns the end offset, or -1 when `buf` is too small. */
export function writeHeader(buf: Buffer, p: number, header: Readonly<Record<string, string>>): number {
  const start = p;
  if (p + 2 > buf.length) return -1;
  p += 2;
  let count = 0;
  for (const k in header) {
    const v = header[k];
    if (typeof v !== 'string') continue;
    p = writeString(buf, p, k);
    if (p < 0) return -1;
    p = writeString(buf, p, v);
    if (p < 0) return -1;
    count++;
  }
  if (count > 0xffff) throw badRequest(`a header has at most 65535 entries, got ${count}`);
  buf.writeUInt16BE(count, start);
  return p;
}

/** Strings up to this length go through {@link shortString}. */
const SHORT_MAX = 32;
/** Slots of the recent-strings cache (a power of two). */
const CACHE_SLOTS = 256;

/**
 * Reads headers; keeps its position in `pos` so decoding allocates nothing but the result. One per
 * connection, with its own cache of recent short strings (see {@link shortString}).
 */
export class HeaderReader {
  pos = 0;
  private readonly recent: Array<string | undefined> = new Array(CACHE_SLOTS).fill(undefined);

  /** Decodes a header starting at `p`, not reading past `end`; `pos` is left after it. */
  read(buf: Buffer, p: number, end: number): Record<string, string> {
    if (p + 2 > end) throw badRequest('frame too short for its header count');
    const count = buf.readUInt16BE(p);
    this.pos = p + 2;
    const out: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
      const k = this.string(buf, end);
      const v = this.string(buf, end);
      // A `__proto__` key must stay an ordinary key, never a prototype change.
      if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }

  private string(buf: Buffer, end: number): string {
    const p = this.pos;
    if (p >= end) throw badRequest('header truncated');
    const tag = buf[p]!;
    let start: number;
    let len: number;
    if (tag < SHORT) {
      const s = STATIC_TABLE[tag];
      if (s === undefined) throw badRequest(`unknown static header string ${tag}`);
      this.pos = p + 1;
      return s;
    } else if (tag < LIT16) {
      start = p + 1;
      len = tag & 0x3f;
    } else if (tag === LIT16) {
      if (p + 3 > end) throw badRequest('header truncated');
      start = p + 3;
      len = buf.readUInt16BE(p + 1);
    } else if (tag === LIT32) {
      if (p + 5 > end) throw badRequest('header truncated');
      start = p + 5;
      len = buf.readUInt32BE(p + 1);
    } else {
      throw badRequest(`bad header string tag 0x${tag.toString(16)}`);
    }
    if (start + len > end) throw badRequest('header string runs past the frame');
    this.pos = start + len;
    return len <= SHORT_MAX ? shortString(this.recent, buf, start, start + len) : buf.toString('utf8', start, start + len);
  }
}

/**
 * Short ASCII strings. Service and endpoint names, user metadata keys and the like repeat on every
 * frame, so they come from `recent`, a small direct-mapped cache of the connection's recent
 * strings: the same string object each time, nothing allocated (building one char by char cost a
 * new string per char) and its hash already computed for the Map lookups that follow. Numbers (call
 * ids, timeouts) change every frame and would only evict the rest: they are built directly.
 */
function shortString(recent: Array<string | undefined>, buf: Buffer, start: number, end: number): string {
  let h = 0;
  let digits = true;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    if (c < 0x30 || c > 0x39) digits = false;
    h = (Math.imul(h, 31) + c) | 0;
  }
  const len = end - start;
  if (digits) {
    // Built char by char, a number costs a string per digit; as a number, one string (and none when V8's
    // number-string cache holds it). A leading zero or a long run would not round-trip, so those go as text.
    if (len <= 9 && (len === 1 || buf[start] !== 0x30)) {
      let n = 0;
      for (let i = start; i < end; i++) n = n * 10 + buf[i]! - 0x30;
      return String(n);
    }
    return buf.toString('latin1', start, end);
  }
  const slot = h & (CACHE_SLOTS - 1);
  const hit = recent[slot];
  if (hit !== undefined && hit.length === len) {
    let i = 0;
    while (i < len && hit.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return hit;
  }
  const s = buf.toString('latin1', start, end);
  recent[slot] = s;
  return s;
}
