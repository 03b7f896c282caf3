import { badRequest } from '@tsmicro/core';
import type { Msg, MsgHdrs } from 'nats';

type HeadersFactory = () => MsgHdrs;

/** Message headers → NATS headers, names kept as given. Undefined when there are none (plain PUB). */
export function toNatsHeaders(header: Record<string, string>, make: HeadersFactory): MsgHdrs | undefined {
  // Most messages carry none: find out without building an entries array.
  let some = false;
  for (const _ in header) {
    some = true;
    break;
  }
  if (!some) return undefined;
  const h = make();
  for (const [k, v] of Object.entries(header)) {
    // NATS headers are a text protocol: a CR/LF would split or forge a header line.
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw badRequest(`header ${JSON.stringify(k)} contains a line break`);
    try {
      h.set(k, v);
    } catch (e) {
      throw badRequest(`header ${JSON.stringify(k)} is not a valid NATS header: ${(e as Error).message}`, { cause: e });
    }
  }
  return h;
}

/** NATS headers → message headers; a repeated header keeps its first value. */
export function fromNatsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const [k, values] of h) {
    const v = values[0];
    if (v !== undefined && !(k in out)) out[k] = v;
  }
  return out;
}

/**
 * The header block of `m` as nats.js received it, when nats.js exposes it: its message keeps the
 * block's length in `_msg.hdr` and the bytes at the start of `_rdata` (nats 2.x). Undefined for a
 * message without headers, or from a nats.js that keeps them otherwise.
 */
function headerBlock(m: Msg): Uint8Array | undefined {
  const impl = m as Msg & { _msg?: { hdr?: unknown }; _rdata?: unknown };
  const n = impl._msg?.hdr;
  const data = impl._rdata;
  if (typeof n !== 'number' || n <= 0 || !(data instanceof Uint8Array) || data.byteLength < n) return undefined;
  return data.subarray(0, n);
}

// Native: a JS loop over a view into nats.js's read buffer cost about 8× as much per header block.
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

function copyOf(h: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) out[k] = h[k] as string;
  return out;
}

/**
 * `fromNatsHeaders` for the messages of one subscription, remembering the header block it decoded
 * last: a topic's messages mostly carry the same headers (a publisher's Content-Type), and nats.js's
 * decoding (text, split lines, canonical names, validation) cost more than the rest of a delivery.
 * Every message still gets a header object of its own.
 */
export function headerReader(): (m: Msg) => Record<string, string> {
  let lastBlock: Uint8Array | undefined;
  let last: Readonly<Record<string, string>> = {};
  return (m) => {
    const block = headerBlock(m);
    if (block === undefined) return fromNatsHeaders(m.headers);
    if (lastBlock !== undefined && sameBytes(block, lastBlock)) return copyOf(last);
    const header = fromNatsHeaders(m.headers);
    lastBlock = block.slice();
    last = copyOf(header);
    return header;
  };
}

/**
 * `toNatsHeaders` for core publishes, reusing the NATS headers of the previous message when its
 * header is the same frozen object (the client shares one per content type for messages without
 * metadata). Their wire form is computed once too: nats.js calls only `encode()` on a core
 * publish's headers, and rebuilt the same text and bytes for every message. Never for JetStream
 * publishes: nats.js sets `Nats-Msg-Id` on the headers it is given.
 */
export function cachedNatsHeaders(make: HeadersFactory): (header: Record<string, string>) => MsgHdrs | undefined {
  let lastHeader: Record<string, string> | undefined;
  let lastHdrs: MsgHdrs | undefined;
  return (header) => {
    if (header === lastHeader) return lastHdrs;
    const hdrs = toNatsHeaders(header, make);
    if (Object.isFrozen(header)) {
      lastHeader = header;
      lastHdrs = hdrs && withFixedEncoding(hdrs);
    }
    return hdrs;
  };
}

/**
 * `h`, its `encode()` answering the bytes it encoded to once; `h` must not change afterwards.
 * `encode()` is what nats.js's publish calls on headers (not in the `MsgHdrs` type): without it, `h`
 * is left as it is.
 */
function withFixedEncoding(h: MsgHdrs): MsgHdrs {
  const encoding = h as MsgHdrs & { encode?: unknown };
  if (typeof encoding.encode !== 'function') return h;
  const bytes: unknown = encoding.encode();
  return Object.assign(h, { encode: () => bytes });
}
