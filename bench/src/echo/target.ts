import { serviceUnavailable } from '@tsmicro/core';
import type { EchoImpl } from '../protocol.js';
import { reason } from '../reason.js';

/** The server half of an echo workload. */
export interface EchoServer {
  readonly address: string;
  close(): Promise<void>;
}

/** The client half: unary echo and a server stream of `count` messages. */
export interface EchoClient {
  call(req: Record<string, unknown>): Promise<unknown>;
  stream(count: number, onItem: () => void): Promise<unknown>;
  close(): Promise<void>;
}

// tsmicro is imported on use: the raw rows then carry none of it (RSS), and an unfinished
// RPC package costs only the tsmicro rows.
async function tsmicro() {
  try {
    return await import('./tsmicro.js');
  } catch (e) {
    throw serviceUnavailable(`tsmicro RPC not available yet (${reason(e)})`);
  }
}

async function service_() {
  try {
    return await import('./service.js');
  } catch (e) {
    throw serviceUnavailable(`@tsmicro/service not available (${reason(e)})`);
  }
}

/** The OBS stacks: tsmicro-json with `allObservability` on both sides, tracing without or with the SDK. */
const obsModes: Partial<Record<EchoImpl, 'api' | 'sdk'>> = { 'tsmicro-obs': 'api', 'tsmicro-obs-sdk': 'sdk' };

/** The gRPC rows' stacks, served by bench/src/grpc (loaded on use, like tsmicro). */
const GRPC_IMPLS: ReadonlySet<EchoImpl> = new Set(['grpcjs', 'tsmicro-grpc', 'tsmicro-grpc-proto', 'grpcjs-tsmicro']);

/** Starts the echo server of `impl` on a free loopback port; the `service-` stacks register as `service`. */
export async function startEchoServer(impl: EchoImpl, service: string): Promise<EchoServer> {
  if (GRPC_IMPLS.has(impl)) return (await import('../grpc/index.js')).startGrpcBenchServer(impl);
  if (impl === 'raw') return (await import('../raw/index.js')).startRawServer();
  if (impl === 'service-name' || impl === 'service-address') return (await service_()).startServiceServer(service);
  return (await tsmicro()).startTsmicroServer(obsModes[impl]);
}

/** Connects the echo client of `impl` to `address` (or, for `service-name`, to `service` by name). */
export async function connectEcho(impl: EchoImpl, address: string, service: string): Promise<EchoClient> {
  if (GRPC_IMPLS.has(impl)) return (await import('../grpc/index.js')).connectGrpcBench(impl, address);
  if (impl === 'raw') return (await import('../raw/index.js')).connectRaw(address);
  if (impl === 'service-name') return (await service_()).connectService(service);
  if (impl === 'service-address') return (await service_()).connectService(service, address);
  return (await tsmicro()).connectTsmicro(impl === 'tsmicro-msgpack' ? 'msgpack' : 'json', address, obsModes[impl]);
}
