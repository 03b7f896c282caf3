import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Frame, H } from '../../src/rpc/headers.js';
import { createMux, type Mux } from '../../src/rpc/mux.js';
import { tcpTransport } from '../../src/tcp/index.js';
import { until } from '../../src/testing/helpers.js';
import type { Listener, Transport } from '../../src/transport.js';
import { rpcFrameArb, rpcSessionArb } from './rpc-frames.js';
import { runs } from './runs.js';
import { type Probe, runSession } from './session.js';

const empty = new Uint8Array(0);
const enc = new TextEncoder();

/**
 * The RPC state machine (createMux, server side) under hostile clients. The server here is the
 * mux with an echo handler, so what is tested is the protocol layer alone; the full server
 * (routing, codecs, deadlines) is fuzzed end to end in packages/service/test/rpc-fuzz.test.ts.
 */
describe('fuzz: rpc state machine (mux)', () => {
  let t: Transport;
  let l: Listener;
  const muxes = new Set<Mux>();
  let handlers = 0;

  beforeAll(async () => {
    t = tcpTransport();
    l = await t.listen('127.0.0.1:0');
    l.accept((s) => {
      const mux = createMux(s, {
        onRequest(stream, _req, unary) {
          handlers++;
          void (async () => {
            try {
              if (unary) await stream.sendLast((await stream.recv()) ?? empty);
              else {
                for (let b = await stream.recv(); b !== undefined; b = await stream.recv()) await stream.send(b);
                await stream.end();
              }
            } catch {
              // The call ended abnormally (cancel, protocol error, connection lost): nobody to answer.
            } finally {
              handlers--;
            }
          })();
        },
      });
      muxes.add(mux);
      void mux.closed.then(() => muxes.delete(mux));
    });
  });
  afterAll(async () => {
    await l.close();
  });

  const probe: Probe = {
    header: { [H.endpoint]: 'Echo.unary' },
    body: enc.encode('ping'),
    check: (b) => Buffer.from(b).toString() === 'ping',
  };

  it('answers or closes on every random session, keeps serving, and leaks no call once the peer is gone', async () => {
    const endpoints = ['Echo.unary'];
    let errors = 0;
    let closes = 0;
    let withoutId = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(rpcSessionArb(endpoints), fc.array(rpcFrameArb(endpoints), { maxLength: 30 })), async (frames) => {
        const r = await runSession(t, l.address, frames, probe);
        errors += r.received.filter((m) => m.header[H.frame] === Frame.error).length;
        if (r.closedByServer) closes++;
        if (frames.some((f) => f.header[H.id] === undefined)) withoutId++;
        // The mux closes the connection only for a frame without Micro-Id; everything else gets an answer on its call.
        expect(r.closedByServer).toBe(frames.some((f) => f.header[H.id] === undefined));
        await until(() => muxes.size === 0 && handlers === 0);
      }),
      runs(100),
    );
    expect(errors).toBeGreaterThan(0);
    // Whether a random run drew a frame without Micro-Id at all is chance (the next test makes one for sure);
    // each one it drew must have closed its connection.
    expect(closes).toBe(withoutId);
  });

  it('closes a connection sending a frame without Micro-Id: no call can own it, so nothing can answer it', async () => {
    const r = await runSession(t, l.address, [{ header: { [H.frame]: Frame.request }, body: empty }], probe);
    expect(r.closedByServer).toBe(true);
  });
});
