import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runClient } from './client.js';

/**
 * Starts the greeter server as a child process; this process finds it by name over mDNS (no address
 * passed), calls it in all four shapes, exchanges events with it through the http broker, stops it
 * with SIGTERM, and exits 0. The whole run is bounded.
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

/** The server logs one JSON line with its address once it listens and is registered. */
async function serverAddress(): Promise<string> {
  for await (const line of createInterface({ input: server.stdout })) {
    try {
      const rec = JSON.parse(line) as { address?: unknown };
      if (typeof rec.address === 'string') return rec.address;
    } catch {
      // not a log line
    }
  }
  throw new Error('server exited before it listened');
}

try {
  const address = await serverAddress();
  out(`demo: server pid ${server.pid} listens on ${address}; the client finds it by name over mDNS`);
  for (const line of await runClient()) out(line);
  server.kill('SIGTERM');
  const code = await exited;
  out(`demo: server stopped gracefully (exit code ${code})`);
  clearTimeout(watchdog);
  if (code !== 0) process.exitCode = 1;
} catch (e) {
  out(`demo: failed: ${e instanceof Error ? e.message : String(e)}`);
  server.kill('SIGKILL');
  process.exitCode = 1;
  clearTimeout(watchdog);
}
