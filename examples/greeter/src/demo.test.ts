import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('the demo discovers the server over mDNS, runs every call shape and pub/sub across two processes, then exits 0', () => {
  const demo = fileURLToPath(new URL('./demo.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', demo], { encoding: 'utf8', timeout: 40_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('unary       hello -> Hello Ada (from greeter)');
  expect(r.stdout).toContain('server-str  countdown -> 3, 2, 1');
  expect(r.stdout).toContain('client-str  total of 1..4 -> 10');
  expect(r.stdout).toContain("bidi        chat -> you said 'bye'");
  expect(r.stdout).toContain('the client finds it by name over mDNS');
  expect(r.stdout).toContain('pub/sub     received greeter.thanked {"to":"Ada","by":"greeter"}');
  expect(r.stdout).toContain('server stopped gracefully (exit code 0)');
}, 45_000);
