import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { memoryTransport } from '../memory.js';
import type { Message, Socket } from '../transport.js';
import { ACCEPT_ENCODING, decompressBody, ENCODING } from './compression.js';
import { H } from './headers.js';
import { createLink, type Inbound } from './link.js';

/** A JSON-like body that gzip shrinks well, `n` bytes long. */
const jsonish = (n: number) => new TextEncoder().encode('{"id":12345,"name":"Customer"},'.repeat(Math.ceil(n / 31)).slice(0, n));

/** One end of a real memory connection, with the frames handed to it counted as they are sent. */
async function countedSocket(): Promise<{ socket: Socket; sent: Message[]; peer: Socket }> {
  const t = memoryTransport();
  const l = await t.listen('');
  const accepted = new Promise<Socket>((resolve) => l.accept(resolve));
  const socket = await t.dial(l.address);
  const peer = await accepted;
  const sent: Message[] = [];
  const send = socket.send.bind(socket);
  socket.send = (m) => {
    sent.push(m);
    return send(m);
  };
  return { socket, sent, peer };
}

/** Tells `link` that its peer accepts gzip, as a peer's first frame does. */
function peerAcceptsGzip(link: ReturnType<typeof createLink>) {
  const ignore: Inbound = { dispatch: () => {}, refuse: () => {}, closed: () => false };
  link.receive({ header: { [H.id]: '0', [ACCEPT_ENCODING]: 'gzip' }, body: new Uint8Array(0) }, '0', undefined, ignore);
}

describe('link: where compression runs (asyncFrom)', () => {
  it('compresses a body below asyncFrom in the caller turn, and from asyncFrom on the zlib pool', async () => {
    const body = jsonish(4096);
    for (const [asyncFrom, inTurn] of [
      [8192, true],
      [4096, false],
    ] as const) {
      const { socket, sent, peer } = await countedSocket();
      const link = createLink(socket, { encoding: 'gzip', asyncFrom });
      peerAcceptsGzip(link);
      const written = link.write({ header: { [H.id]: '1' }, body });
      expect(sent.length).toBe(inTurn ? 1 : 0);
      await written;
      expect(sent.length).toBe(1);
      const out = sent[0] as Message;
      expect(out.header[ENCODING]).toBe('gzip');
      expect(out.body.byteLength).toBeLessThan(body.byteLength / 4);
      expect(decompressBody('gzip', out.body, 1 << 20)).toEqual(Buffer.from(body));
      await socket.close();
      await peer.close();
    }
  });

  it('decompresses a body below asyncFrom / 8 in the caller turn, and from it on the zlib pool', async () => {
    const plain = jsonish(64 * 1024);
    const packed = gzipSync(plain);
    for (const [asyncFrom, inTurn] of [
      [packed.byteLength * 8 + 8, true],
      [packed.byteLength * 8, false],
    ] as const) {
      const { socket, peer } = await countedSocket();
      const link = createLink(socket, { asyncFrom });
      const got: Message[] = [];
      const to: Inbound = { dispatch: (m) => got.push(m), refuse: (e) => expect.fail(e.message), closed: () => false };
      link.receive({ header: { [H.id]: '2', [ENCODING]: 'gzip' }, body: packed }, '2', undefined, to);
      expect(got.length).toBe(inTurn ? 1 : 0);
      await expect.poll(() => got.length).toBe(1);
      expect(Buffer.from((got[0] as Message).body)).toEqual(Buffer.from(plain));
      await socket.close();
      await peer.close();
    }
  });
});
