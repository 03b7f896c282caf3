import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { badRequest } from '@tsmicro/core';
import { registerOtelSdk } from './echo/observability.js';

/**
 * The OpenTelemetry SDK's own cost per traced call, without tsmicro: what the OBS row's tracing must
 * spend at least. Per operation, as the observability wrappers do for one W1 call (both sides in one
 * process): a CLIENT span, made active; its context injected into a metadata object; on the "server"
 * the context extracted, a SERVER span started under it and made active; both ended. Synchronous, so
 * no promise is made: the per-promise cost of the async-hooks context manager is not in here (the
 * `json-sdk` stack of pair.js measures that). Run as pair.js: `valgrind --tool=callgrind node … dist/otel-floor.js <N>`
 * with N = 0 and N; (Ir(N) − Ir(0)) / N. WARMUP operations first.
 */

const WARMUP = 20_000;

const n = Number(process.argv[2] ?? 0);
if (!Number.isInteger(n) || n < 0) throw badRequest('usage: otel-floor.js <operations>');

registerOtelSdk();
const tracer = trace.getTracer('@tsmicro/wrappers');
const rpc = { 'rpc.system': 'tsmicro', 'rpc.service': 'bench', 'rpc.method': 'Bench.echo' };
const setter = {
  set: (c: Record<string, string>, k: string, v: string) => {
    c[k] = v;
  },
};
const getter = { keys: (c: Record<string, string>) => Object.keys(c), get: (c: Record<string, string>, k: string) => c[k] };
const handler = () => 1;

function once(): number {
  const parent = context.active();
  const client = tracer.startSpan('bench/Bench.echo', { kind: SpanKind.CLIENT, attributes: { ...rpc } }, parent);
  const clientCtx = trace.setSpan(parent, client);
  const md: Record<string, string> = {};
  const r = context.with(clientCtx, () => {
    propagation.inject(clientCtx, md, setter);
    const remote = propagation.extract(ROOT_CONTEXT, md, getter);
    const server = tracer.startSpan('bench/Bench.echo', { kind: SpanKind.SERVER, attributes: { ...rpc } }, remote);
    const v = context.with(trace.setSpan(remote, server), handler);
    server.end();
    return v;
  });
  client.end();
  return r;
}

let sum = 0;
for (let i = 0; i < WARMUP; i++) sum += once();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < n; i++) sum += once();
const cpu = process.cpuUsage(cpu0);
const perCall = n > 0 ? `, ${((cpu.user + cpu.system) / n).toFixed(2)} µs CPU per call` : '';
process.stderr.write(`otel floor: ${n} calls in ${(performance.now() - t0).toFixed(0)} ms${perCall} (${sum})\n`);
// Lets the batch processor's timer run out as in a real process; ends on its own.
setTimeout(() => process.exit(0), 100);
