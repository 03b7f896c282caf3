/**
 * Measures encode + decode of a typical 5-header RPC message header.
 * Run: node --conditions=source --import tsx packages/transport/bench/header-codec.ts
 */
import { HeaderReader, writeHeader } from '../src/tcp/wire.js';

const header = {
  'Micro-Id': '18342',
  'Micro-Frame': 'request',
  'Micro-Service': 'greeter',
  'Micro-Endpoint': 'Greeter.Hello',
  'Content-Type': 'application/json',
};
const withMetadata = {
  ...header,
  'x-request-id': '3f2a9c1e-77b1-4c1e-9a8e-5b1f3c2d4e6f',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

function run(name: string, h: Record<string, string>, n = 2_000_000): void {
  const buf = Buffer.allocUnsafe(4096);
  const reader = new HeaderReader();
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += Object.keys(reader.read(buf, 0, writeHeader(buf, 0, h))).length;
  const size = writeHeader(buf, 0, h);
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += writeHeader(buf, 0, h);
  const enc = Number(process.hrtime.bigint() - t) / n;
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += reader.read(buf, 0, size) === undefined ? 0 : 1;
  const dec = Number(process.hrtime.bigint() - t) / n;
  process.stdout.write(
    `${name}: ${size} bytes, encode ${enc.toFixed(0)} ns, decode ${dec.toFixed(0)} ns, encode+decode ${(enc + dec).toFixed(0)} ns/op (${sink > 0})\n`,
  );
}

/** The same header as JSON (the format this codec replaces), for comparison. */
function json(h: Record<string, string>, n = 1_000_000): void {
  let sink = 0;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const b = Buffer.from(JSON.stringify(h));
    sink += Object.keys(JSON.parse(b.toString()) as object).length;
  }
  const ns = Number(process.hrtime.bigint() - t) / n;
  process.stdout.write(`  JSON baseline: encode+decode ${ns.toFixed(0)} ns/op (${sink > 0})\n`);
}

run('5 RPC headers', header);
json(header);
run('5 RPC headers + 2 metadata', withMetadata);
