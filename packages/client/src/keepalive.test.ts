import { setTimeout as sleep } from 'node:timers/promises';
import { type MicroError, silentLogger } from '@tsmicro/core';
import { Frame, H, type Mux } from '@tsmicro/transport/rpc';
import { rawServerPeer } from '@tsmicro/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeepalive, type Keepalive } from './keepalive.js';

const empty = new Uint8Array(0);

/** A client mux and the raw server end of its connection (which never answers pings by itself). */
const connection = rawServerPeer;

function pending(mux: Mux): Promise<MicroError | undefined> {
  return new Promise((resolve) => {
    mux.call({ [H.service]: 's', [H.endpoint]: 'E.m' }, new Uint8Array([1]), {
      resolved: () => resolve(undefined),
      failed: (e) => resolve(e),
    });
  });
}

describe('client keepalive', () => {
  let k: Keepalive | undefined;
  afterEach(() => k?.close());

  it('declares a silent peer with calls in flight frozen after busy + timeout, failing its calls with a 502', async () => {
    const { mux, peer } = await connection();
    const dead: string[] = [];
    k = createKeepalive({
      idle: 0,
      busy: 50,
      timeout: 100,
      logger: silentLogger(),
      onDead: (m, address, reason) => {
        dead.push(address);
        void m.close(reason);
      },
    });
    k.watch(mux, 'node-a');
    const t0 = Date.now();
    const e = await pending(mux);
    expect(e?.code).toBe(502);
    expect(e?.detail).toMatch(/node-a stopped answering: no reply to a ping within 100 ms while 1 calls were in flight/);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(dead).toEqual(['node-a']);
    await peer.close();
  });

  it('does not declare a peer frozen whose pong is late while other frames keep arriving (alive, only behind)', async () => {
    const { mux, peer } = await connection();
    const dead: string[] = [];
    k = createKeepalive({ idle: 0, busy: 50, timeout: 100, logger: silentLogger(), onDead: (_m, a) => dead.push(a) });
    k.watch(mux, 'node-b');
    const call = pending(mux);
    const first = await peer.recv();
    const id = first.header[H.id] as string;
    // The peer answers no ping, but keeps sending frames of the call (a window grant is harmless to a unary call).
    for (let i = 0; i < 8; i++) {
      await sleep(60);
      await peer.send({ header: { [H.id]: id, [H.frame]: Frame.window, [H.window]: '1' }, body: empty });
    }
    expect(dead).toEqual([]);
    await peer.send({ header: { [H.id]: id, [H.frame]: Frame.last }, body: empty });
    expect(await call).toBeUndefined();
    await mux.close();
  });
});
