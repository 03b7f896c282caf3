import { memoryTransport } from '../memory.js';
import { createMux, type Mux } from '../rpc/mux.js';
import type { Socket } from '../transport.js';

/**
 * A client mux on one end of a real memory-transport connection and the raw server end on the other,
 * which answers nothing by itself (not even pings): the test plays the server frame by frame.
 * @example const { mux, peer } = await rawServerPeer(); const request = await peer.recv()
 */
export async function rawServerPeer(): Promise<{ mux: Mux; peer: Socket }> {
  const t = memoryTransport();
  const l = await t.listen('');
  const accepted = new Promise<Socket>((resolve) => l.accept(resolve));
  const mux = createMux(await t.dial(l.address));
  return { mux, peer: await accepted };
}
