import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Socket } from '@tsmicro/transport';
import { Frame, H } from '@tsmicro/transport/rpc';
import { rawServerPeer } from '@tsmicro/transport/testing';
import { describe, expect, it } from 'vitest';
import { LiveGate } from './live-gate.js';

const empty = new Uint8Array(0);

/** A client mux and the raw server end of its connection, which answers pings only when told to. */
const connection = rawServerPeer;

const pong = (peer: Socket) => peer.send({ header: { [H.id]: '0', [H.frame]: Frame.pong }, body: empty });

describe('the live gate', () => {
  it('calls chosen in the same turn on one connection share one ping; a later turn sends its own', async () => {
    const { mux, peer } = await connection();
    const gate = new LiveGate(5000);
    const same = [gate.confirm(mux), gate.confirm(mux), gate.confirm(mux)];
    expect((await peer.recv()).header[H.frame]).toBe(Frame.ping);
    await nextTurn();
    const later = gate.confirm(mux);
    expect((await peer.recv()).header[H.frame]).toBe(Frame.ping);
    await pong(peer);
    expect(await Promise.all(same)).toEqual([true, true, true]);
    // The first pong answered the first ping only: the later call waits for its own.
    await pong(peer);
    expect(await later).toBe(true);
    await mux.close();
  });

  it('a peer that does not answer within ms is refused, saying the handler did not run', async () => {
    const { mux, peer } = await connection();
    const gate = new LiveGate(20);
    expect(await gate.confirm(mux)).toBe(false);
    const e = gate.refusal('svc.E.m', mux);
    expect(e.code).toBe(503);
    expect(e.detail).toMatch(/svc\.E\.m was not sent to .*: no answer to a ping within 20 ms \(confirmAlive\); the handler did not run/);
    await peer.close();
    await mux.close();
    expect(await gate.confirm(mux)).toBe(false);
    expect(gate.refusal('svc.E.m', mux).detail).toMatch(/the connection closed/);
  });
});
