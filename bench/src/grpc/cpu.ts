import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EchoImpl } from '../protocol.js';
import { connectGrpcBench, startGrpcBenchServer } from './index.js';

/**
 * CPU time per call of the gRPC stacks, server and client apart: `node bench/dist/grpc/cpu.js [calls] [rounds]`.
 * On a shared, overloaded machine throughput swings with the neighbours; the CPU time a process spends
 * per call moves far less, and is what a loaded server runs out of. The server runs in a child process,
 * the client here; W1 at c=64; rounds interleave the stacks; each figure is the median round.
 */

type Msg = { type: 'ready'; address: string } | { type: 'cpu'; us: number };

const STACKS: readonly EchoImpl[] = ['grpcjs', 'tsmicro-grpc', 'tsmicro-grpc-proto', 'grpcjs-tsmicro'];
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function serve(impl: EchoImpl): Promise<void> {
  const s = await startGrpcBenchServer(impl);
  let start = cpuNow();
  process.on('message', (m: string) => {
    if (m === 'mark') start = cpuNow();
    else if (m === 'read') process.send?.({ type: 'cpu', us: cpuNow() - start } satisfies Msg);
    else void s.close().then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', address: s.address } satisfies Msg);
}

async function measure(impl: EchoImpl, calls: number): Promise<{ server: number; client: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['serve', impl]);
  const next = () => new Promise<Msg>((resolve) => child.once('message', (m) => resolve(m as Msg)));
  const ready = (await next()) as Extract<Msg, { type: 'ready' }>;
  const c = await connectGrpcBench(impl, ready.address);
  const run = (n: number) =>
    Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = 0; i < n / 64; i++) await c.call({ name: 'bench' });
      }),
    );
  await run(Math.min(calls, 3200)); // warm-up
  child.send('mark');
  const c0 = cpuNow();
  await run(calls);
  const client = cpuNow() - c0;
  child.send('read');
  const server = ((await next()) as Extract<Msg, { type: 'cpu' }>).us;
  await c.close();
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  return { server: server / calls, client: client / calls };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 6400);
  const rounds = Number(process.argv[3] ?? 5);
  const per = new Map<EchoImpl, Array<{ server: number; client: number }>>();
  for (let r = 0; r < rounds; r++)
    for (const impl of STACKS) {
      const m = await measure(impl, calls);
      per.set(impl, [...(per.get(impl) ?? []), m]);
      process.stdout.write(`round ${r + 1} ${impl}: server ${m.server.toFixed(0)} µs/call, client ${m.client.toFixed(0)} µs/call\n`);
    }
  const base = per.get('grpcjs') ?? [];
  process.stdout.write(
    '\nstack                server µs/call  client µs/call  total  total vs grpcjs (median of paired rounds)  server vs grpcjs\n',
  );
  for (const impl of STACKS) {
    const ms = per.get(impl) ?? [];
    const total = (m: { server: number; client: number }) => m.server + m.client;
    const ratio = median(ms.map((m, k) => total(base[k] ?? m) / total(m)));
    const sratio = median(ms.map((m, k) => (base[k] ?? m).server / m.server));
    const row = [
      impl.padEnd(20),
      median(ms.map((m) => m.server))
        .toFixed(0)
        .padStart(14),
      median(ms.map((m) => m.client))
        .toFixed(0)
        .padStart(15),
    ];
    process.stdout.write(
      `${row.join(' ')}  ${median(ms.map(total)).toFixed(0).padStart(5)}  ${ratio.toFixed(2).padStart(6)}×  ${sratio.toFixed(2).padStart(37)}×\n`,
    );
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as EchoImpl);
else await main();
