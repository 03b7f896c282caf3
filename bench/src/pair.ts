import { createClient } from '@tsmicro/client';
import { createLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { createService } from '@tsmicro/service';
import { tcpTransport } from '@tsmicro/transport';
import { checkEncoding } from '@tsmicro/transport/rpc';
import { closedLoops } from './closed-loop.js';
import { bench } from './echo/tsmicro.js';

/**
 * Client and server of one W1 stack in ONE process, for instruction counts (issue 19's method):
 * `valgrind --tool=callgrind node --predictable --random-seed=42 --hash-seed=42 bench/dist/pair.js <stack> <calls>`,
 * run once with `calls` 0 and once with N; (Ir(N) − Ir(0)) / N is the instructions per call. Both
 * runs first make WARMUP calls at concurrency 64. Stacks: `raw`, `address` (createService pair, the
 * caller passing the address), `name` (the same pair, the caller calling by name over a
 * memoryRegistry, so the selector and the watch-fed cache run but no multicast does), `json` (bare
 * createServer + createClient, the OBS rows' "off"), `json-sdk` (the same with the OpenTelemetry SDK
 * registered and its context manager used once, no wrappers), `obs`, `obs-sdk` (the same with allObservability,
 * without and with the OpenTelemetry SDK), `name2` (two services of the name, so a call that is not
 * idempotent waits for its node's pong: the client's `confirmAlive` gate), `name2-idempotent` (the same
 * pair, calls marked idempotent: not held).
 */

const WARMUP = 20_000;
const CONCURRENCY = 64;
/** Dial and call timeouts no valgrind run reaches: under it a dial takes seconds, and timed-out calls measure error paths. */
const TIMEOUT = 3_600_000;

type Call = () => Promise<unknown>;

async function open(stack: string): Promise<{ call: Call; close: () => Promise<void> }> {
  const req = { name: 'bench' };
  if (stack === 'raw') {
    const { startRawServer, connectRaw } = await import('./raw/index.js');
    const server = await startRawServer();
    const client = await connectRaw(server.address);
    return {
      call: () => client.call(req),
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  }
  if (stack === 'json' || stack === 'json-sdk' || stack === 'obs' || stack === 'obs-sdk') {
    const { startTsmicroServer, connectTsmicro } = await import('./echo/tsmicro.js');
    if (stack === 'json-sdk') {
      // The SDK registered and its context manager's AsyncLocalStorage in use once, no wrappers: what
      // the async hooks alone cost every promise of the call path.
      const { registerOtelSdk } = await import('./echo/observability.js');
      registerOtelSdk();
      const { context, ROOT_CONTEXT } = await import('@opentelemetry/api');
      context.with(ROOT_CONTEXT, () => undefined);
    }
    const mode = stack === 'json' || stack === 'json-sdk' ? undefined : stack === 'obs' ? 'api' : 'sdk';
    const server = await startTsmicroServer(mode);
    const client = await connectTsmicro('json', server.address, mode, TIMEOUT);
    return {
      call: () => client.call(req),
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  }
  const registry = memoryRegistry();
  const logger = createLogger({ level: 'warn' });
  // TSMICRO_BENCH_COMPRESSION=gzip (…) turns compression on both sides, default threshold: W1's small bodies stay uncompressed.
  const encoding = process.env.TSMICRO_BENCH_COMPRESSION;
  const compression = encoding ? { compression: { encoding: checkEncoding(encoding) } } : {};
  const svc = createService({ name: 'pair', registry, logger, ...compression });
  svc.handle('Bench', bench);
  await svc.start();
  const two = stack === 'name2' || stack === 'name2-idempotent';
  const second = two ? createService({ name: 'pair', registry, logger, ...compression }) : undefined;
  second?.handle('Bench', bench);
  await second?.start();
  // The caller is createService's client as it builds it (tcp, the registry, a default selector), with
  // dial and call timeouts no valgrind run reaches: under it a dial takes seconds, and a count of
  // timed-out calls measures error paths.
  const timeout = TIMEOUT;
  // Two nodes: a pong no valgrind run misses, so the gate's instructions are measured, not its refusals.
  const gate = two ? { confirmAlive: timeout } : {};
  const client = createClient({ transport: tcpTransport(), registry, logger, dialTimeout: timeout, ...gate, ...compression });
  const opts =
    stack === 'address'
      ? { address: svc.server.address, timeout }
      : stack === 'name2-idempotent'
        ? { timeout, idempotent: true }
        : { timeout };
  return {
    call: () => client.call('pair', 'Bench.echo', req, opts),
    close: async () => {
      await client.close();
      await second?.stop();
      await svc.stop();
      await registry.close();
    },
  };
}

const [stack = 'name', calls = '0'] = process.argv.slice(2);
const { call, close } = await open(stack);
await closedLoops(call, WARMUP, CONCURRENCY);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await closedLoops(call, Number(calls), CONCURRENCY);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
// CPU time per call: a rough second figure where valgrind is too slow (load-dependent, unlike instructions).
const perCall = Number(calls) > 0 ? ` (${((cpu.user + cpu.system) / Number(calls)).toFixed(2)} µs CPU per call)` : '';
process.stderr.write(`${stack}: ${calls} calls in ${ms.toFixed(0)} ms${perCall}\n`);
await close();
