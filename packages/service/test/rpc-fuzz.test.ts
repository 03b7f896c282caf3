import { type Message, tcpTransport } from '@tsmicro/transport';
import { createMux, Frame, H } from '@tsmicro/transport/rpc';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcFrameArb, rpcSessionArb } from '../../transport/test/fuzz/rpc-frames.js';
import { runs } from '../../transport/test/fuzz/runs.js';
import { type Probe, runSession } from '../../transport/test/fuzz/session.js';
import { pair } from './fixtures.js';

const enc = new TextEncoder();
const GRACE = 20_000;
const endpoints = ['Greeter.hello', 'Greeter.fail', 'Greeter.slow', 'Greeter.count', 'Greeter.sum', 'Greeter.echo'];
const probe: Probe = {
  header: { [H.endpoint]: 'Greeter.hello', [H.contentType]: 'application/json' },
  body: enc.encode('{"name":"probe"}'),
  check: (b) => Buffer.from(b).toString() === '{"msg":"hello probe","meta":null}',
};

/** The full server (routing, codecs, deadlines, all four call shapes) fed hostile RPC frames over tcp. */
describe('fuzz: rpc server end to end', () => {
  let p: Awaited<ReturnType<typeof pair>>;
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);

  beforeAll(async () => {
    process.on('warning', onWarning);
    p = await pair({ transport: tcpTransport(), server: { gracePeriod: GRACE } });
  });
  afterAll(async () => {
    await p.close();
    process.off('warning', onWarning);
  });

  const goodCall = async () =>
    expect(await p.client.call('greeter', 'Greeter.hello', { name: 'good' })).toEqual({ msg: 'hello good', meta: null });

  it('answers every random session with errors or a close, never crashes, keeps serving, heap bounded', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    let errors = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(rpcSessionArb(endpoints), fc.array(rpcFrameArb(endpoints), { maxLength: 30 })), async (frames) => {
        const r = await runSession(p.transport, p.server.address, frames, probe);
        expect(r.closedByServer).toBe(frames.some((f) => f.header[H.id] === undefined));
        errors += r.received.filter((m) => m.header[H.frame] === Frame.error).length;
        if (++n % 10 === 0) await goodCall();
      }),
      runs(100),
    );
    await goodCall();
    expect(errors).toBeGreaterThan(0);
    // Loose on purpose (no forced GC here): catches a leak per session, not noise.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(96 * 1024 * 1024);
    expect(warnings.map((w) => w.message)).toEqual([]);
    // No call of a closed session is left running: stop() has nothing to wait the grace period for.
    const stopping = Date.now();
    await p.server.stop();
    expect(Date.now() - stopping).toBeLessThan(GRACE / 2);
    await p.server.start();
    await goodCall();
  });

  const req = (id: string, h: Record<string, string>, body = '{"name":"x"}') => ({
    header: { [H.id]: id, [H.frame]: Frame.request, [H.endpoint]: 'Greeter.hello', ...h },
    body: enc.encode(body),
  });
  const frame = (id: string, kind: string, h: Record<string, string> = {}, body = '') => ({
    header: { [H.id]: id, [H.frame]: kind, ...h },
    body: enc.encode(body),
  });

  /** Each bad input and the error code it must be answered with on its call (undefined: dropped by design, the probe proves the server is fine). */
  const cases: Array<[string, Array<{ header: Record<string, string>; body: Uint8Array }>, number | undefined, string]> = [
    ['an unknown endpoint', [req('1', { [H.endpoint]: 'Nope.x' })], 404, "no endpoint 'Nope.x'"],
    ['a __proto__ endpoint', [req('1', { [H.endpoint]: '__proto__' })], 404, "no endpoint '__proto__'"],
    ['a missing endpoint', [frame('1', Frame.request, {}, '{}')], 404, "no endpoint ''"],
    ['a garbage content type', [req('1', { [H.contentType]: 'text/x-garbage' })], 400, "unsupported content type 'text/x-garbage'"],
    ['an undecodable body', [req('1', {}, '{"name":')], 400, 'not valid JSON'],
    ['a duplicate id', [req('1', { [H.endpoint]: 'Greeter.sum', [H.stream]: '1' }, ''), req('1', {})], 400, 'already in use'],
    [
      'data after end',
      [req('1', { [H.endpoint]: 'Greeter.sum', [H.stream]: '1' }, ''), frame('1', Frame.end), frame('1', Frame.data, {}, '1')],
      400,
      'after end of stream',
    ],
    [
      'a window overrun',
      [
        req('1', { [H.endpoint]: 'Greeter.slow', [H.stream]: '1' }, ''),
        // The server's window is 256 KiB and each message costs its 8 bytes + 64: the 3642nd is one too many.
        ...Array.from({ length: 3700 }, () => frame('1', Frame.data, {}, '{"ms":1}')),
      ],
      400,
      'flow-control window exceeded',
    ],
    [
      'an unknown kind on an open call',
      [req('1', { [H.endpoint]: 'Greeter.sum', [H.stream]: '1' }, ''), frame('1', 'bogus')],
      400,
      "unknown frame kind 'bogus'",
    ],
    [
      'a zero window grant',
      [req('1', { [H.endpoint]: 'Greeter.echo', [H.stream]: '1' }, ''), frame('1', Frame.window, { [H.window]: '0' })],
      400,
      "bad Micro-Window '0'",
    ],
    [
      'a stream that ends without its request',
      [req('1', { [H.endpoint]: 'Greeter.count', [H.stream]: '1' }, ''), frame('1', Frame.end)],
      400,
      'needs a request message',
    ],
    ['a zero deadline', [req('1', { [H.endpoint]: 'Greeter.slow', [H.timeout]: '0' }, '{"ms":50}')], 408, 'deadline'],
    // The request's own failure (bad JSON) lands after the 408: it must not become an unhandled rejection.
    ['a zero deadline with an undecodable body', [req('1', { [H.timeout]: '0' }, '{"name":')], 408, 'deadline'],
    [
      'a zero deadline on a client stream fed garbage',
      [req('1', { [H.endpoint]: 'Greeter.sum', [H.stream]: '1', [H.timeout]: '0' }, ''), frame('1', Frame.data, {}, '{')],
      408,
      'deadline',
    ],
    ['data before any request', [frame('5', Frame.data, {}, '{}')], undefined, ''],
    ['a cancel of an unknown id', [frame('77', Frame.cancel)], undefined, ''],
    ['a huge id', [req('9'.repeat(5000), {})], undefined, ''],
  ];
  for (const [name, frames, code, detail] of cases) {
    it(`answers ${name}${code ? ` with ${code}` : ' by dropping it'} and keeps serving the connection`, async () => {
      // The probe may overtake the error this case is owed (answers on one connection come in any order).
      const owed = code === undefined ? undefined : (got: readonly Message[]) => got.some((m) => m.header[H.frame] === Frame.error);
      const r = await runSession(p.transport, p.server.address, frames, probe, 5000, owed);
      expect(r.probeAnswered).toBe(true);
      const errs = r.received.filter((m) => m.header[H.frame] === Frame.error);
      if (code === undefined) {
        expect(r.received.filter((m) => m.header[H.id] !== '4000000000' && m.header[H.frame] !== Frame.window)).toEqual(
          name === 'a huge id' ? [expect.objectContaining({ header: expect.objectContaining({ [H.frame]: Frame.last }) })] : [],
        );
        return;
      }
      expect(errs).toHaveLength(1);
      const e = JSON.parse(errs[0]?.header[H.error] ?? '') as { code: number; detail: string };
      expect(e.code).toBe(code);
      expect(e.detail).toContain(detail);
    });
  }

  it('serves a call with a bogus huge deadline normally instead of timing it out at once', async () => {
    const mux = createMux(await p.transport.dial(p.server.address));
    try {
      for (const t of ['99999999999999', '1e308']) {
        const header = { [H.endpoint]: 'Greeter.slow', [H.contentType]: 'application/json', [H.timeout]: t };
        const { stream } = mux.open(header, { body: enc.encode('{"ms":20}') });
        const body = await stream.recv();
        expect(JSON.parse(Buffer.from(body ?? []).toString()), `Micro-Timeout ${t}`).toEqual({ aborted: false, reason: 'undefined' });
      }
    } finally {
      await mux.close();
    }
    expect(warnings.map((w) => w.message)).toEqual([]);
  });
});
