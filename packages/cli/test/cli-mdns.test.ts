import { freePort } from '@tsmicro/core/testing';
import { ensureLoopbackMulticast } from '@tsmicro/registry/testing';
import { describe, expect, it } from 'vitest';
import { cli, startCli, startService, stopService, uniqueName } from './harness.js';
import { cliScenarios } from './scenarios.js';

const problem = await ensureLoopbackMulticast(5353);
if (problem) throw new Error(problem);

// mDNS pinned to loopback: shared with every other test on this host, hence unique service names.
cliScenarios({
  label: 'mDNS on loopback',
  env: { TSMICRO_MDNS_INTERFACE: '127.0.0.1' },
  asked: 'mdns (default) on interface 127.0.0.1',
  keepsDeadNodes: false,
  broker: 'http',
});

describe('tsmicro --help', () => {
  it('every command has help with an example, and bad usage exits 2', async () => {
    const commands = ['services', 'describe', 'call', 'stream', 'publish', 'subscribe', 'watch', 'health', 'api'];
    const helps = await Promise.all([cli(['--help']), ...commands.map((c) => cli([c, '--help']))]);
    for (const h of helps) {
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Example:\n {2}\$ tsmicro /);
    }
    const [missing, unknown, flag, memory, address, asJson] = await Promise.all([
      cli(['call']),
      cli(['servics']),
      cli(['call', 'a', 'B.c', '--timeout', 'soon']),
      cli(['services', '--registry', 'memory']),
      cli(['services', '--registry-address', '127.0.0.1:2379']),
      cli(['servics', '--json']),
    ]);
    expect([missing.code, unknown.code, flag.code, memory.code, address.code]).toEqual([2, 2, 2, 2, 2]);
    expect(memory.stderr).toContain('the memory registry lives inside one process');
    expect(address.stderr).toContain('the mdns registry takes no address');
    expect([asJson.code, JSON.parse(asJson.stderr)]).toEqual([
      2,
      { error: { id: 'tsmicro', code: 400, status: 'Bad Request', detail: "unknown command 'servics'\n(Did you mean services?)" } },
    ]);
    expect(missing.stderr).toContain("missing required argument 'service'");
    expect(unknown.stderr).toContain('(Did you mean services?)');
    expect(flag.stderr).toContain("--timeout takes a positive number of milliseconds, got 'soon'");
  }, 60_000);
});

describe('tsmicro api --rate-limit and --trust-proxy', () => {
  const env = { TSMICRO_MDNS_INTERFACE: '127.0.0.1' };

  it('--help shows both with examples; bad values exit 2 with what the flag takes', async () => {
    const [help, ...bad] = await Promise.all([
      cli(['api', '--help']),
      ...[
        ['--rate-limit', 'fast'],
        ['--rate-limit', '0'],
        ['--rate-limit', '5:0'],
        ['--rate-limit', '5:2:1'],
        ['--trust-proxy', 'proxy.local'],
        ['--trust-proxy', '10.0.0.0/33'],
        ['--trust-proxy', '10.0.0.1,'],
        ['--trust-proxy', '-1'],
      ].map((flag) => cli(['api', '--port', '1', ...flag], { env })),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--rate-limit <rps\[:burst\]>/);
    expect(help.stdout).toMatch(/--trust-proxy <hops\|addr,cidr,\.\.\.>/);
    expect(help.stdout).toContain('$ tsmicro api --rate-limit 50:100 --trust-proxy 1');
    expect(help.stdout).toContain('--trust-proxy 10.0.0.0/8,192.168.1.5');
    for (const [i, r] of bad.entries()) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        i < 4 ? /--rate-limit takes requests per second per client .* got '/ : /--trust-proxy takes a hop count or proxy addresses/,
      );
    }
  }, 60_000);

  it('limits each client and believes X-Forwarded-For only from the trusted proxy, against a real service', async () => {
    const name = uniqueName('cliapi');
    const svc = await startService(name, env);
    const port = await freePort();
    const api = startCli(['api', '--port', String(port), '--json', '--rate-limit', '0.1:2', '--trust-proxy', '127.0.0.1'], env);
    try {
      const { url } = JSON.parse(await api.line(/^\{"url"/, 20_000)) as { url: string };
      const echo = (from: string) =>
        fetch(`${url}/${name}/Test.echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
          body: '{}',
        });
      const first = await echo('203.0.113.1');
      expect(first.status).toBe(200);
      // The service sees the address the trusted proxy (this test, on loopback) vouched for.
      expect(await first.json()).toMatchObject({ client: '203.0.113.1' });
      expect((await echo('203.0.113.1')).status).toBe(200);
      const third = await echo('203.0.113.1');
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBeTruthy();
      // Another client has its own bucket.
      expect((await echo('203.0.113.2')).status).toBe(200);
      api.proc.kill('SIGINT');
      expect(await api.exited).toBe(0);
    } finally {
      await api.kill();
      await stopService(svc);
    }
  }, 60_000);
});
