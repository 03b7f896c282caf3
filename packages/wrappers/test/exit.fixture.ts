// Run as a child process by http.test.ts: starts both HTTP endpoints, uses them, closes them, and
// must then exit on its own (nothing left open).
import { Registry } from 'prom-client';
import { healthServer } from '../src/health/health-server.js';
import { metricsServer } from '../src/metrics/metrics-server.js';

const m = await metricsServer({ registry: new Registry(), port: 0 });
const h = await healthServer({ port: 0 });
const codes = [(await fetch(`${m.url}/metrics`)).status, (await fetch(`${h.url}/health/ready`)).status];
await Promise.all([m.close(), h.close()]);
process.stdout.write(`${codes.join(',')}\n`);
