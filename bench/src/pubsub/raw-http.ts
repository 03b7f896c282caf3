import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import { internalServerError } from '@tsmicro/core';
import { messageBytes } from './message.js';
import type { PubSide, SubSide } from './side.js';

/** A plain HTTP POST per message over keep-alive connections (what an HTTP broker does at best). */
export async function httpPub(topic: string, subAddress: string): Promise<PubSide> {
  const [host, port] = subAddress.split(':');
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const post = (body: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { agent, host, port: Number(port), method: 'POST', path: `/${topic}`, headers: { 'content-length': body.byteLength } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(internalServerError(`POST answered ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { publish: (i, warm) => post(messageBytes(i, warm)), flush: async () => {}, close: async () => agent.destroy() };
}

/** An `http.createServer` on a free loopback port; every POST body is one message. */
export async function httpSub(_topic: string, onMessage: (body: Uint8Array) => void): Promise<SubSide> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      onMessage(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      res.end();
    });
  });
  server.keepAliveTimeout = 10_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  const port = addr !== null && typeof addr === 'object' ? addr.port : 0;
  return {
    address: `127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
