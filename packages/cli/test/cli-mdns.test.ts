import { ensureLoopbackMulticast } from '@tsmicro/registry/testing';
import { describe, expect, it } from 'vitest';
import { cli } from './harness.js';
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
    const commands = ['services', 'describe', 'call', 'stream', 'publish', 'subscribe', 'watch', 'health'];
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
