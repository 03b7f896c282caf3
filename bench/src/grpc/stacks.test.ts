import { describe, expect, it } from 'vitest';
import type { EchoImpl } from '../protocol.js';
import { connectGrpcBench, isGrpcImpl, startGrpcBenchServer } from './index.js';

describe('the gRPC bench stacks', () => {
  it.each(['grpcjs', 'tsmicro-grpc', 'tsmicro-grpc-proto', 'grpcjs-tsmicro'] as EchoImpl[])(
    '%s answers W1 and streams W4',
    async (impl) => {
      expect(isGrpcImpl(impl)).toBe(true);
      const server = await startGrpcBenchServer(impl);
      const client = await connectGrpcBench(impl, server.address);
      try {
        expect(await client.call({ name: 'bench' })).toMatchObject({ msg: 'Hello bench' });
        let n = 0;
        await client.stream(1000, () => n++);
        expect(n).toBe(1000);
      } finally {
        await client.close();
        await server.close();
      }
    },
  );
});
