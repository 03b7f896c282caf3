import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { tcpWithGrpc } from './one-port.js';

describe('tcpWithGrpc', () => {
  it('takes one TLS setting for its one port: two different ones are a 400 that says to give it once', () => {
    expect(() => tcpWithGrpc({ tcp: { tls: { ca: 'a' } }, grpc: { tls: { ca: 'b' } } })).toThrow(
      expect.objectContaining({ code: 400, detail: expect.stringContaining('give tls once') }),
    );
    const same = { ca: 'a' };
    expect(() => tcpWithGrpc({ tcp: { tls: same }, grpc: { tls: same } })).not.toThrow();
  });

  it('closes a connection that sends no preface within the handshake timeout', async () => {
    const l = await tcpWithGrpc({ tcp: { handshakeTimeout: 200 } }).listen('127.0.0.1:0');
    try {
      const [host, port] = [l.address.slice(0, l.address.lastIndexOf(':')), Number(l.address.slice(l.address.lastIndexOf(':') + 1))];
      const started = Date.now();
      await new Promise<void>((resolve, reject) => {
        const c = connect({ host, port });
        c.on('error', () => {});
        c.once('close', () => resolve());
        setTimeout(() => reject(new Error('the silent connection was still open after 3 s')), 3000).unref();
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      await l.close();
    }
  });
});
