import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { badRequest } from '@tsmicro/core';
import { createFrameReader, encodeFrame } from './frame.js';

/** A running raw echo server. */
export interface RawServer {
  /** `127.0.0.1:port`. */
  readonly address: string;
  close(): Promise<void>;
}

type Req = { id: number; name?: string; data?: string; count?: number };

function asReq(v: unknown): Req {
  if (typeof v !== 'object' || v === null || typeof (v as { id?: unknown }).id !== 'number') {
    throw badRequest(`raw request without a numeric id: ${JSON.stringify(v)}`);
  }
  return v as Req;
}

/** Writes `count` stream frames, pausing on backpressure so memory stays flat. */
async function streamTo(sock: Socket, id: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (sock.destroyed) return;
    if (!sock.write(encodeFrame({ id, i }))) await once(sock, 'drain');
  }
  sock.write(encodeFrame({ id, end: true }));
}

function serve(sock: Socket): void {
  sock.setNoDelay(true);
  const reader = createFrameReader();
  sock.on('error', () => sock.destroy());
  sock.on('data', (chunk: Buffer) => {
    let reqs: unknown[];
    try {
      reqs = reader.push(chunk);
    } catch {
      sock.destroy();
      return;
    }
    // One syscall for all the answers a chunk produced, like any pipelining server would do.
    sock.cork();
    for (const raw of reqs) {
      const req = asReq(raw);
      if (req.count !== undefined) void streamTo(sock, req.id, req.count).catch(() => sock.destroy());
      else if (req.data !== undefined) sock.write(encodeFrame({ id: req.id, data: req.data }));
      else sock.write(encodeFrame({ id: req.id, msg: `Hello ${req.name ?? ''}` }));
    }
    sock.uncork();
  });
}

/**
 * The ceiling: a bare `node:net` echo server with length-prefixed JSON framing.
 * @example const s = await startRawServer(); s.address // '127.0.0.1:40123'
 */
export async function startRawServer(port = 0): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    serve(s);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw badRequest('raw server did not bind a TCP port');
  return {
    address: `127.0.0.1:${addr.port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
