import { MicroError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { memoryTransport } from '../memory.js';
import { rawServerPeer } from '../testing/raw-peer.js';
import type { Message, Socket } from '../transport.js';
import { Deadlines } from './deadlines.js';
import { Frame, H, INITIAL_WINDOW, MESSAGE_OVERHEAD } from './headers.js';
import { createMux, type Mux } from './mux.js';
import { callScope } from './scope.js';
import type { RpcStream } from './stream.js';

const empty = new Uint8Array(0);

/** A listening mux on one end, a raw socket on the other, over a real memory transport. */
async function rawPeer(
  onRequest: (s: RpcStream, m: Message, unary: boolean) => void,
): Promise<{ raw: Socket; server: () => Mux | undefined }> {
  const t = memoryTransport();
  const l = await t.listen('');
  let server: Mux | undefined;
  l.accept((s) => {
    server = createMux(s, { onRequest });
  });
  return { raw: await t.dial(l.address), server: () => server };
}

describe('rpc mux', () => {
  it('answers pings', async () => {
    const t = memoryTransport();
    const l = await t.listen('');
    l.accept((s) => createMux(s, {}));
    const mux = createMux(await t.dial(l.address));
    expect(await mux.ping(1000)).toBe(true);
    await mux.close();
    expect(await mux.ping(1000)).toBe(false);
    await l.close();
  });

  it('a pong that comes after its ping timed out answers that ping, not the next one', async () => {
    const { mux, peer: raw } = await rawServerPeer();
    const pong = () => raw.send({ header: { [H.id]: '0', [H.frame]: Frame.pong }, body: empty });
    // The peer holds the first pong until its ping has timed out.
    expect(await mux.ping(10)).toBe(false);
    expect((await raw.recv()).header[H.frame]).toBe(Frame.ping);
    const second = mux.ping(200);
    expect((await raw.recv()).header[H.frame]).toBe(Frame.ping);
    await pong();
    // That pong is the first ping's: the peer has not answered the second, so it must not count as alive.
    expect(await second).toBe(false);
    const third = mux.ping(1000);
    await raw.recv();
    // The late pong of the second ping, then the third's own: the third is answered by its own.
    await pong();
    await pong();
    expect(await third).toBe(true);
    await mux.close();
  });

  it('refuses messages beyond the granted window with a 400 error frame', async () => {
    const { raw } = await rawPeer(() => {});
    await raw.send({ header: { [H.id]: '1', [H.frame]: Frame.request, [H.stream]: '1' }, body: empty });
    // Empty messages cost MESSAGE_OVERHEAD bytes each: the window holds exactly INITIAL_WINDOW / MESSAGE_OVERHEAD of them.
    for (let i = 0; i <= INITIAL_WINDOW / MESSAGE_OVERHEAD; i++)
      await raw.send({ header: { [H.id]: '1', [H.frame]: Frame.data }, body: empty });
    const m = await raw.recv();
    expect(m.header[H.frame]).toBe(Frame.error);
    expect(m.header[H.error]).toContain('flow-control window exceeded');
    await raw.close();
  });

  it('grants more credit, in bytes, as the receiver consumes', async () => {
    let stream: RpcStream | undefined;
    const { raw } = await rawPeer((s) => {
      stream = s;
    });
    await raw.send({ header: { [H.id]: '7', [H.frame]: Frame.request, [H.stream]: '1' }, body: empty });
    // 16 messages costing 4 KiB each fill the 64 KiB window; reading half of them grants 32 KiB back.
    const body = (i: number) => new Uint8Array(4096 - MESSAGE_OVERHEAD).fill(i);
    for (let i = 0; i < 16; i++) await raw.send({ header: { [H.id]: '7', [H.frame]: Frame.data }, body: body(i) });
    for (let i = 0; i < 8; i++) expect((await stream!.recv())?.[0]).toBe(i);
    const w = await raw.recv();
    expect(w.header).toMatchObject({ [H.id]: '7', [H.frame]: Frame.window, [H.window]: String(INITIAL_WINDOW / 2) });
    await raw.close();
  });

  it('lets one message larger than the whole window through, then waits for credit', async () => {
    let stream: RpcStream | undefined;
    const { raw } = await rawPeer((s) => {
      stream = s;
    });
    await raw.send({ header: { [H.id]: '9', [H.frame]: Frame.request, [H.stream]: '1' }, body: empty });
    await raw.send({ header: { [H.id]: '9', [H.frame]: Frame.data }, body: new Uint8Array(INITIAL_WINDOW * 4) });
    expect((await stream!.recv())?.byteLength).toBe(INITIAL_WINDOW * 4);
    // The credit went below zero: the reader's grant covers what it read, and the next message may go.
    const w = await raw.recv();
    expect(w.header[H.frame]).toBe(Frame.window);
    expect(Number(w.header[H.window])).toBe(INITIAL_WINDOW * 4 + MESSAGE_OVERHEAD);
    await raw.close();
  });

  /** Streams `count` messages of `size` bytes from a raw client as fast as credit allows; returns every grant the server sent. */
  async function grantsFor(count: number, size: number): Promise<number[]> {
    const { raw } = await rawPeer((s) => {
      void (async () => {
        while ((await s.recv()) !== undefined);
      })().catch(() => {});
    });
    const body = new Uint8Array(size);
    await raw.send({ header: { [H.id]: '3', [H.frame]: Frame.request, [H.stream]: '1' }, body: empty });
    let credit = INITIAL_WINDOW;
    let sent = 0;
    const grants: number[] = [];
    while (sent < count) {
      for (; credit > 0 && sent < count; credit -= size + MESSAGE_OVERHEAD, sent++)
        await raw.send({ header: { [H.id]: '3', [H.frame]: Frame.data }, body });
      if (sent === count) break;
      const w = await raw.recv();
      expect(w.header[H.frame]).toBe(Frame.window);
      const n = Number(w.header[H.window]);
      grants.push(n);
      credit += n;
    }
    await raw.close();
    return grants;
  }

  it('grows the window of a reader kept waiting, up to 4 MiB', async () => {
    const grants = await grantsFor(20_000, 8);
    expect(grants[0]).toBeGreaterThanOrEqual(INITIAL_WINDOW / 2);
    expect(grants[0]).toBeLessThan(INITIAL_WINDOW / 2 + 8 + MESSAGE_OVERHEAD);
    expect(Math.max(...grants)).toBeGreaterThan(INITIAL_WINDOW);
    const large = await grantsFor(200, 64 * 1024);
    expect(Math.max(...large)).toBeGreaterThan(INITIAL_WINDOW);
    // A grant is at most what was read plus the growth: never past the 4 MiB cap plus one message.
    for (const n of large) expect(n).toBeLessThanOrEqual(4 * 1024 * 1024 + 64 * 1024 + MESSAGE_OVERHEAD);
  });

  it('refuses a Micro-Id already in use', async () => {
    const { raw } = await rawPeer(() => {});
    const open = { header: { [H.id]: '3', [H.frame]: Frame.request, [H.stream]: '1' }, body: empty };
    await raw.send(open);
    await raw.send(open);
    const m = await raw.recv();
    expect(m.header[H.error]).toContain('already in use');
    await raw.close();
  });

  it('fails open calls with a 502 (outcome unknown) when the connection drops, and drops frames of unknown calls', async () => {
    const t = memoryTransport();
    const l = await t.listen('');
    let peer: Socket | undefined;
    l.accept((s) => {
      peer = s;
    });
    const mux = createMux(await t.dial(l.address));
    const { stream } = mux.open({ [H.service]: 's', [H.endpoint]: 'A.b' }, { body: empty });
    const req = await peer!.recv();
    expect(req.header).toMatchObject({ [H.frame]: Frame.request, [H.endpoint]: 'A.b' });
    await peer!.send({ header: { [H.id]: '999', [H.frame]: Frame.data }, body: empty });
    await peer!.close();
    const e = await stream.recv().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MicroError);
    expect((e as MicroError).code).toBe(502);
    expect((e as MicroError).detail).toMatch(/may have run/);
    expect(stream.failed).toBe(true);
    expect(mux.isClosed).toBe(true);
    await l.close();
  });
});

describe('callScope', () => {
  const deadlines = new Deadlines();
  it('aborts at its deadline and only builds a signal when read', async () => {
    const s = callScope({ deadline: Date.now() + 20, onDeadline: () => 'late', deadlines });
    const reason = await new Promise((r) => s.onAbort(r));
    expect(reason).toBe('late');
    expect(s.signal.aborted).toBe(true);
    expect(s.signal.reason).toBe('late');
  });

  it('follows a parent signal and detaches on dispose', () => {
    const ac = new AbortController();
    const s = callScope({ parents: [ac.signal], onDeadline: () => 'x', deadlines });
    const s2 = callScope({ parents: [ac.signal], onDeadline: () => 'x', deadlines });
    s2.dispose();
    ac.abort('stop');
    expect(s.aborted).toBe(true);
    expect(s.reason).toBe('stop');
    expect(s2.aborted).toBe(false);
  });
});
