import { connect, createServer, type Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FLUSH_FRAMES, FrameWriter } from './writer.js';

/** A connected loopback socket, with the writes handed to it counted. */
async function countedSocket(): Promise<{ sock: NetSocket; writes: () => number; close(): void }> {
  const server = createServer((s) => s.resume());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', r));
  let n = 0;
  const write = sock.write.bind(sock) as (b: Uint8Array) => boolean;
  sock.write = ((b: Uint8Array) => {
    n++;
    return write(b);
  }) as NetSocket['write'];
  return {
    sock,
    writes: () => n,
    close() {
      sock.destroy();
      server.close();
    },
  };
}

const message = (i: number) => ({ header: { 'Micro-Id': String(i) }, body: Uint8Array.of(i) });

/**
 * Three callbacks of one event-loop iteration, each queuing one frame: three immediates queued
 * together always run in the same check phase (three zero timers may straddle a millisecond on a
 * busy machine and run in two iterations).
 */
async function threeCallbacks(w: FrameWriter): Promise<void> {
  await new Promise<void>((done) => {
    for (let i = 0; i < 3; i++) setImmediate(() => void w.message(message(i)));
    setTimeout(() => setImmediate(done), 5);
  });
}

describe('FrameWriter: writes per event-loop iteration', () => {
  let close = () => {};
  afterEach(() => close());

  it("'tick' (default): each callback's frames go out at its end, one write each", async () => {
    const s = await countedSocket();
    close = s.close;
    await threeCallbacks(new FrameWriter(s.sock, 1 << 20));
    expect(s.writes()).toBe(3);
  });

  it("'loop': the frames of every callback of the iteration go out together in its check phase, one write", async () => {
    const s = await countedSocket();
    close = s.close;
    await threeCallbacks(new FrameWriter(s.sock, 1 << 20, true));
    expect(s.writes()).toBe(1);
  });

  it('a callback queuing many frames writes every FLUSH_FRAMES of them at once, so the peer starts on them, and the rest at its end', async () => {
    const s = await countedSocket();
    close = s.close;
    const w = new FrameWriter(s.sock, 1 << 20);
    const count = FLUSH_FRAMES * 2 + 3;
    for (let i = 0; i < count; i++) void w.message(message(i));
    expect(s.writes()).toBe(2);
    await new Promise<void>((r) => process.nextTick(r));
    expect(s.writes()).toBe(3);
  });
});
