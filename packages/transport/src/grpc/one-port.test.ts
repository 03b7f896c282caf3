import { describe, expect, it } from 'vitest';
import { tcpWithGrpc } from './one-port.js';

describe('tcpWithGrpc', () => {
  it('refuses gRPC TLS on its plaintext shared port with a 400 that says what to do instead', async () => {
    const t = tcpWithGrpc({ grpc: { tls: { ca: 'x' } } });
    await expect(t.listen('127.0.0.1:0')).rejects.toMatchObject({
      code: 400,
      detail: expect.stringContaining('grpcTransport({ tls })'),
    });
  });
});
