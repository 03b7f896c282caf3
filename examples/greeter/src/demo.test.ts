import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('the demo discovers the server over mDNS, runs every call shape, validation, logging, metrics and pub/sub across two processes, then exits 0', () => {
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
  expect(r.stdout).toContain("validation  hello({name:''}) -> 400 invalid request: name: name must not be empty");
  expect(r.stdout).toContain('debug       health -> ok, ready; stats -> Greeter.hello calls 2, errors 1');
  // The client's logging wrapper writes the refused call at warn; the server's wrapper logs it too.
  expect(r.stdout).toMatch(/"side":"client","service":"greeter","endpoint":"Greeter.hello".*"code":400/);
  expect(r.stdout).toContain(
    'logging     server line for it: {"level":40,"service":"greeter","endpoint":"Greeter.hello","code":400,"err":"invalid request: name: name must not be empty"}',
  );
  expect(r.stdout).toMatch(
    /metrics {5}http:\/\/127\.0\.0\.1:\d+\/metrics -> tsmicro_server_handled_total\{service="greeter",endpoint="Greeter.hello",code="400"\} 1\n/,
  );
  expect(r.stdout).toContain('server stopped gracefully (exit code 0)');
  expect(r.stdout).toMatch(
    /pnpm exec tsmicro call greeter Greeter\.hello '\{"name":"Ada"\}'\n {2}pnpm exec tsmicro stream greeter Greeter\.countdown '\{"from":3\}'\n {2}pnpm exec tsmicro health\n {2}pnpm exec tsmicro api {8}# HTTP gateway \+ web dashboard on http:\/\/127\.0\.0\.1:8080\n$/,
  );
}, 45_000);
