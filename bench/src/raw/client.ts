import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { badRequest, serviceUnavailable } from '@tsmicro/core';
import { createFrameReader, encodeFrame } from './frame.js';

/** A pipelined client over ONE connection: any number of requests may be in flight. */
export interface RawClient {
  call(req: Record<string, unknown>): Promise<unknown>;
  /** Asks for `count` stream frames; calls `onItem` per frame, resolves with the number received. */
  stream(count: number, onItem?: () => void): Promise<number>;
  close(): Promise<void>;
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void; onItem?: () => void; items: number };

/** Splits `host:port`; the bench only talks to loopback. */
export function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port)) throw badRequest(`bad address '${address}', want host:port`);
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

/** @example const c = await connectRaw(server.address); await c.call({ name: 'x' }) */
export async function connectRaw(address: string): Promise<RawClient> {
  const { host, port } = splitAddress(address);
  const sock: Socket = connect({ host, port });
  sock.setNoDelay(true);
  await once(sock, 'connect');
  const pending = new Map<number, Pending>();
  const reader = createFrameReader();
  let nextId = 1;
  let corked = false;
  // Requests issued in one turn of the event loop leave in one syscall.
  const write = (frame: Buffer) => {
    if (!corked) {
      corked = true;
      sock.cork();
      process.nextTick(() => {
        corked = false;
        sock.uncork();
      });
    }
    sock.write(frame);
  };
  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  sock.on('error', (e) => failAll(e));
  sock.on('close', () => failAll(serviceUnavailable(`raw connection to ${address} closed`)));
  sock.on('data', (chunk: Buffer) => {
    for (const v of reader.push(chunk)) {
      const f = v as { id: number; end?: boolean; i?: number };
      const p = pending.get(f.id);
      if (!p) continue;
      if (f.i !== undefined) {
        p.items++;
        p.onItem?.();
        continue;
      }
      pending.delete(f.id);
      p.resolve(f.end ? p.items : v);
    }
  });
  const send = (req: Record<string, unknown>, onItem?: () => void) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      const p: Pending = { resolve, reject, items: 0 };
      if (onItem) p.onItem = onItem;
      pending.set(id, p);
      write(encodeFrame({ ...req, id }));
    });
  return {
    call: (req) => send(req),
    stream: async (count, onItem) => (await send({ count }, onItem)) as number,
    async close() {
      if (sock.destroyed) return;
      sock.destroy();
      await once(sock, 'close');
    },
  };
}
