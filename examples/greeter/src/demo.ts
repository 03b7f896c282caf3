import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runClient } from './client.js';

/**
 * Starts the greeter server as a child process; this process finds it by name over mDNS (no address
 * passed), calls it in all four shapes plus one call its validation refuses, exchanges events with it
 * through the http broker, shows the server's log line for the refused call and one line scraped
 * from its /metrics, stops it with SIGTERM, and exits 0. The whole run is bounded.
 */
// The demo stays on this host: mDNS is pinned to loopback unless the caller chose an interface.
process.env.TSMICRO_MDNS_INTERFACE ||= '127.0.0.1';
const out = (s: string) => process.stdout.write(`${s}\n`);
const fromSource = import.meta.url.endsWith('.ts');
const serverFile = fileURLToPath(new URL(fromSource ? './server.ts' : './server.js', import.meta.url));
const args = fromSource ? ['--conditions=source', '--import', 'tsx', serverFile] : [serverFile];

const watchdog = setTimeout(() => {
  out('demo: timed out');
  server.kill('SIGKILL');
  process.exit(1);
}, 30_000);
watchdog.unref();

const server = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));

type LogLine = Record<string, unknown>;
const logLines: LogLine[] = [];
const waiters = new Set<() => void>();

// The server's stdout is its pino log: every line is kept (and the pipe drained) until it exits.
void (async () => {
  for await (const line of createInterface({ input: server.stdout })) {
    try {
      logLines.push(JSON.parse(line) as LogLine);
    } catch {
      continue; // not a log line
    }
    for (const w of waiters) w();
  }
  for (const w of waiters) w();
})();

/** The first log line `match` accepts; fails once the server has exited without writing one. */
function logLine(match: (l: LogLine) => boolean, what: string): Promise<LogLine> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const l = logLines.find(match);
      if (l) {
        waiters.delete(check);
        resolve(l);
      } else if (server.exitCode !== null || server.signalCode !== null) {
        waiters.delete(check);
        reject(new Error(`server exited before it logged ${what}`));
      }
    };
    waiters.add(check);
    check();
  });
}

/** The demo's last lines: how to run the greeter alone and poke it with the `tsmicro` CLI. */
const cliHint = [
  '',
  'Poke it yourself with the tsmicro CLI (docs/cli.md). In one terminal:',
  '  export TSMICRO_MDNS_INTERFACE=127.0.0.1 && node examples/greeter/dist/server.js',
  'and in another (same export):',
  '  pnpm exec tsmicro services',
  '  pnpm exec tsmicro describe greeter',
  `  pnpm exec tsmicro call greeter Greeter.hello '{"name":"Ada"}'`,
  `  pnpm exec tsmicro stream greeter Greeter.countdown '{"from":3}'`,
  '  pnpm exec tsmicro health',
  '  pnpm exec tsmicro api        # HTTP gateway + web dashboard on http://127.0.0.1:8080',
];

/** The one line of a Prometheus text exposition that starts with `prefix`. */
async function scrape(url: string, prefix: string): Promise<string> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  return text.split('\n').find((l) => l.startsWith(prefix)) ?? `(no ${prefix} in ${url})`;
}

try {
  const metricsUrl = String((await logLine((l) => typeof l.metrics === 'string', 'its metrics URL')).metrics);
  const address = String((await logLine((l) => typeof l.address === 'string', 'its address')).address);
  out(`demo: server pid ${server.pid} listens on ${address}; the client finds it by name over mDNS`);
  for (const line of await runClient()) out(line);
  const refused = await logLine((l) => l.msg === 'handled' && l.code === 400, 'the refused call');
  const shown = { level: refused.level, service: refused.service, endpoint: refused.endpoint, code: refused.code, err: refused.err };
  out(`logging     server line for it: ${JSON.stringify(shown)}`);
  out(
    `metrics     ${metricsUrl} -> ${await scrape(metricsUrl, 'tsmicro_server_handled_total{service="greeter",endpoint="Greeter.hello",code="400"}')}`,
  );
  server.kill('SIGTERM');
  const code = await exited;
  out(`demo: server stopped gracefully (exit code ${code})`);
  for (const line of cliHint) out(line);
  clearTimeout(watchdog);
  if (code !== 0) process.exitCode = 1;
} catch (e) {
  out(`demo: failed: ${e instanceof Error ? e.message : String(e)}`);
  server.kill('SIGKILL');
  process.exitCode = 1;
  clearTimeout(watchdog);
}
