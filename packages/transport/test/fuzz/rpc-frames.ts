import fc from 'fast-check';
import { Frame, H } from '../../src/rpc/headers.js';
import type { Message } from '../../src/transport.js';

/**
 * Generators of hostile RPC traffic for the state-machine fuzz targets: frames a raw peer may
 * send on a connection (docs/protocol.md, "## RPC"), valid-looking and broken. `endpoints` are
 * the ones the server under test really serves, so some calls get past routing.
 */

const enc = new TextEncoder();
const ids = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('1', '2', '3') },
  { weight: 1, arbitrary: fc.constantFrom('0', '', '-1', '1.5', '1e400', 'NaN', '__proto__', 'constructor', ' 1', '9'.repeat(400)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const kinds = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...Object.values(Frame)) },
  { weight: 1, arbitrary: fc.constantFrom('', 'REQUEST', 'bogus', '__proto__', 'toString') },
);
const numbers = fc.constantFrom('0', '1', '-5', '16', '100', '1e308', '99999999999999', 'NaN', 'abc', '', '2147483648', '0x10', '1.5');
const contentTypes = fc.constantFrom(
  'application/json',
  'application/msgpack',
  'application/octet-stream',
  'application/protobuf',
  'application/json; charset=utf-8',
  'text/xml',
  '',
  '__proto__',
  'APPLICATION/JSON',
);
const metaKeys = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'polluted', 'x-a'),
  fc.string({ maxLength: 8 }),
);
const bodies = fc.oneof(
  fc
    .constantFrom('{}', '"x"', '{"name":"a"}', '{"n":3}', '3', '{"ms":5}', '{"__proto__":{"polluted":1}}', '[', 'null')
    .map((s) => enc.encode(s)),
  fc.uint8Array({ maxLength: 48 }),
);

/** Sets `k` as an own property even when it is `__proto__`, as the tcp header decoder does. */
function put(h: Record<string, string>, k: string, v: string): void {
  Object.defineProperty(h, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** One RPC frame from a hostile or confused client. */
export function rpcFrameArb(endpoints: readonly string[]): fc.Arbitrary<Message> {
  const endpoint = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...endpoints) },
    { weight: 1, arbitrary: fc.constantFrom('', 'Nope.x', '__proto__', 'constructor', 'toString', 'hasOwnProperty') },
  );
  return fc
    .record(
      {
        id: ids,
        kind: kinds,
        endpoint,
        contentType: contentTypes,
        timeout: numbers,
        window: numbers,
        stream: fc.constantFrom('1', '0', 'yes'),
        error: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('{"id":"x","code":500,"detail":"d","status":"s"}')),
        meta: fc.array(fc.tuple(metaKeys, fc.string({ maxLength: 8 })), { maxLength: 3 }),
        body: bodies,
      },
      { requiredKeys: ['id', 'kind', 'body'] },
    )
    .map((r) => {
      const h: Record<string, string> = {};
      // Some frames miss Micro-Id or Micro-Frame altogether.
      if (r.id !== ' 1') put(h, H.id, r.id);
      if (r.kind !== '__proto__') put(h, H.frame, r.kind);
      if (r.endpoint !== undefined) put(h, H.endpoint, r.endpoint);
      if (r.contentType !== undefined) put(h, H.contentType, r.contentType);
      if (r.timeout !== undefined) put(h, H.timeout, r.timeout);
      if (r.window !== undefined) put(h, H.window, r.window);
      if (r.stream !== undefined) put(h, H.stream, r.stream);
      if (r.error !== undefined) put(h, H.error, r.error);
      for (const [k, v] of r.meta ?? []) put(h, k, v);
      return { header: h, body: r.body };
    });
}

/** A session: mostly plausible calls (request, data…, end) interleaved with random frames. */
export function rpcSessionArb(endpoints: readonly string[]): fc.Arbitrary<Message[]> {
  const call = fc
    .record({
      id: fc.constantFrom('1', '2', '3', '4'),
      endpoint: fc.constantFrom(...endpoints),
      stream: fc.boolean(),
      msgs: fc.array(bodies, { maxLength: 20 }),
      close: fc.constantFrom(Frame.end, Frame.cancel, Frame.last, 'none'),
    })
    .map((c): Message[] => {
      const head: Record<string, string> = { [H.id]: c.id, [H.frame]: Frame.request, [H.endpoint]: c.endpoint };
      if (c.stream) head[H.stream] = '1';
      const out: Message[] = [{ header: head, body: c.stream ? new Uint8Array(0) : (c.msgs[0] ?? enc.encode('{}')) }];
      for (const b of c.msgs) out.push({ header: { [H.id]: c.id, [H.frame]: Frame.data }, body: b });
      if (c.close !== 'none') out.push({ header: { [H.id]: c.id, [H.frame]: c.close }, body: new Uint8Array(0) });
      return out;
    });
  return fc
    .array(
      fc.oneof(
        call,
        rpcFrameArb(endpoints).map((m) => [m]),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((parts) => parts.flat());
}
