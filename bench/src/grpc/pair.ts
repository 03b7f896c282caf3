import { closedLoops } from '../closed-loop.js';
import type { EchoImpl } from '../protocol.js';
import { connectGrpcBench, startGrpcBenchServer } from './index.js';

/**
 * Client and server of one gRPC W1 stack in ONE process, for load-independent per-call figures
 * (docs/grpc.md, "Performance"): `node bench/dist/grpc/pair.js <stack> <calls>` makes WARMUP calls
 * at concurrency 64, then `calls` more, and prints the CPU time per measured call
 * (`process.cpuUsage`). Run it under `valgrind --tool=callgrind` (or `perf stat -e instructions:u`)
 * once with 0 calls and once with N: (count(N) − count(0)) / N is the instructions per call.
 * Stacks are `<client>-<server>`: `grpcjs-grpcjs` (the baseline), `json-tsmicro`, `proto-tsmicro`
 * (tsmicro client, json or protobuf), `grpcjs-tsmicro` (a stock client against the tsmicro server),
 * `proto-grpcjs` (the tsmicro client against a stock server).
 */

const WARMUP = Number(process.env.TSMICRO_PAIR_WARMUP ?? 5_000);
const CONCURRENCY = 64;

/** The bench impl whose server, and the one whose client, a stack runs. */
const STACKS: Readonly<Record<string, { server: EchoImpl; client: EchoImpl }>> = {
  'grpcjs-grpcjs': { server: 'grpcjs', client: 'grpcjs' },
  'json-tsmicro': { server: 'tsmicro-grpc', client: 'tsmicro-grpc' },
  'proto-tsmicro': { server: 'tsmicro-grpc', client: 'tsmicro-grpc-proto' },
  'grpcjs-tsmicro': { server: 'tsmicro-grpc', client: 'grpcjs' },
  'proto-grpcjs': { server: 'grpcjs', client: 'tsmicro-grpc-proto' },
};

const [stack = 'grpcjs-grpcjs', calls = '0'] = process.argv.slice(2);
const pick = STACKS[stack];
if (!pick) throw new Error(`unknown stack '${stack}': one of ${Object.keys(STACKS).join(', ')}`);
const server = await startGrpcBenchServer(pick.server, 0);
// Dial and call timeouts no valgrind run reaches: under it a call at c=64 can take seconds.
const client = await connectGrpcBench(pick.client, server.address, 3_600_000);
const call = () => client.call({ name: 'bench' });
await closedLoops(call, WARMUP, CONCURRENCY);
const n = Number(calls);
const before = process.cpuUsage();
await closedLoops(call, n, CONCURRENCY);
const cpu = process.cpuUsage(before);
const perCall = n > 0 ? ((cpu.user + cpu.system) / n).toFixed(1) : '-';
process.stderr.write(`${stack}: ${n} calls, ${perCall} µs CPU per call\n`);
await client.close();
await server.close();
