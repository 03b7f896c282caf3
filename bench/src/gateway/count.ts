import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawn, stop } from './index.js';
import { type GwServerSpec, startStack } from './stacks.js';

/**
 * One GW server in THIS process, for instruction counts per HTTP request (load-independent, unlike
 * the rows' rates): `valgrind --tool=callgrind node --predictable --random-seed=42 --hash-seed=42
 * bench/dist/gateway/count.js <gateway|hono-bare> <requests>`, once with 0 requests and once with N;
 * (Ir(N) − Ir(0)) / N is the instructions per request. The load generator (autocannon, 64
 * connections) and, for the gateway, the tsmicro service run in child processes, which callgrind
 * does not follow. Both runs first serve WARMUP requests.
 */

const WARMUP = Number(process.env.GW_COUNT_WARMUP ?? 5000);

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');
const loadEntry = fileURLToPath(new URL(fromSource ? './load-child.ts' : './load-child.js', import.meta.url));
const execArgv = fromSource ? ['--conditions=source', '--import', 'tsx'] : [];

function send(load: ChildProcess, url: string, requests: number): Promise<void> {
  return new Promise((resolve, reject) => {
    load.once('message', (m: { type: string; non2xx: number; errors: number }) => {
      // A few connection errors happen under callgrind (a socket the slowed server did not serve in
      // time); they change the count by less than their share. Error answers would count another path.
      if (m.non2xx > 0 || m.errors > requests / 100) reject(new Error(`GW count: ${m.non2xx} non-2xx answers and ${m.errors} errors`));
      else {
        if (m.errors > 0) console.log(`GW count: ${m.errors} connection errors in ${requests} requests`);
        resolve();
      }
    });
    load.send({ url, requests });
  });
}

const [stack = '', count = ''] = process.argv.slice(2);
const requests = Number(count);
if ((stack !== 'gateway' && stack !== 'hono-bare') || !(Number.isInteger(requests) && requests >= 0)) {
  console.error('usage: count.js <gateway|hono-bare> <requests>');
  process.exit(2);
}
const children: ChildProcess[] = [];
let spec: GwServerSpec = { role: 'hono-bare' };
if (stack === 'gateway') spec = { role: 'gateway', serviceAddress: (await spawn({ role: 'service' }, children)).address, patient: true };
const server = await startStack[spec.role](spec);
const load = fork(loadEntry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
await new Promise((resolve) => load.once('message', resolve));
await send(load, server.address, WARMUP);
const cpu0 = process.cpuUsage();
if (requests > 0) await send(load, server.address, requests);
const cpu = process.cpuUsage(cpu0);
load.disconnect();
await server.close();
await stop(children);
// Without callgrind: CPU µs of this process per measured request, a rougher figure (it moves with other load).
const perRequest = requests > 0 ? ` (${((cpu.user + cpu.system) / requests).toFixed(1)} CPU µs per request)` : '';
console.log(`GW count: ${stack}, ${WARMUP} warm-up + ${requests} requests served${perRequest}`);
process.exit(0);
