import { freePort } from '@tsmicro/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type Running, startCli, startService, stopService, uniqueName } from './harness.js';

/** One registry setup the CLI and the services share through the environment. */
export interface Backend {
  label: string;
  /** Environment of both the services and the CLI. */
  env: Record<string, string>;
  /** What `--verbose` says it asked, e.g. `mdns (default) on interface 127.0.0.1`. */
  asked: string;
  /**
   * Whether a node killed with SIGKILL stays listed until its ttl. etcd keeps its key until the lease
   * expires; a fresh mDNS query is answered only by live nodes, so there the dead node is simply gone.
   */
  keepsDeadNodes: boolean;
  /** The broker the environment picks, as `publish` names it. */
  broker: 'http' | 'nats';
}

const json = <T>(s: string): T => JSON.parse(s) as T;

/**
 * Every CLI command as a child process against real services (child processes too) on `b`: results on
 * stdout, errors on stderr with id/code/detail, exit codes, bad input, a timeout and a node killed with SIGKILL.
 */
export function cliScenarios(b: Backend): void {
  describe(`tsmicro against ${b.label}`, () => {
    const name = uniqueName('clitest');
    const run = (args: string[], o: { input?: string; timeout?: number } = {}) => cli(args, { ...o, env: b.env });
    let a: Running & { address: string };
    const extra: Running[] = [];

    beforeAll(async () => {
      a = await startService(name, { ...b.env, TSMICRO_LOG_LEVEL: 'debug' });
    }, 30_000);
    afterAll(async () => {
      await Promise.all([a, ...extra].map((r) => (r ? stopService(r) : undefined)));
    }, 30_000);

    it('the service logs at debug what it registered and where', async () => {
      const line = await a.line(new RegExp(`registered ${name}@1\\.0\\.0 node \\S+ at ${a.address} in the \\w+ registry`));
      expect(line).toContain('"ttl":30000');
      // and which registry it chose from the environment, in the words the CLI's --verbose uses
      await a.line(new RegExp(`"msg":"registry: ${b.asked.replace(/[()]/g, '\\$&')}"`));
    }, 60_000);

    it('services: lists it with version, nodes and endpoints (table and --json); --verbose says what was asked and how long it took', async () => {
      const [table, asJson, verbose] = await Promise.all([run(['services']), run(['services', '--json']), run(['services', '--verbose'])]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^SERVICE\s+VERSIONS\s+NODES\s+ENDPOINTS/);
      expect(table.stdout).toMatch(new RegExp(`${name}\\s+1\\.0\\.0\\s+1\\s+9\\n`));
      expect(json<Array<{ name: string }>>(asJson.stdout).find((s) => s.name === name)).toEqual({
        name,
        versions: ['1.0.0'],
        nodes: 1,
        endpoints: 9,
      });
      expect(verbose.stderr).toContain(`registry: ${b.asked}`);
      expect(verbose.stderr).toMatch(
        new RegExp(
          `asked ${b.asked.replace(/[()]/g, '\\$&')}: listServices\\(\\) -> \\d+ record\\(s\\): .*${name}@1\\.0\\.0 \\(1 node\\).* in \\d+ ms`,
        ),
      );
    }, 60_000);

    it('describe: nodes with address, transport and age; endpoints with kind and schema', async () => {
      const [table, asJson] = await Promise.all([run(['describe', name]), run(['describe', name, '--json'])]);
      expect(table.code).toBe(0);
      expect(table.stdout).toContain(`${name} 1.0.0  team=cli-tests`);
      expect(table.stdout).toMatch(new RegExp(`${name}-\\S+\\s+${a.address}\\s+tcp\\s+\\d+s`));
      expect(table.stdout).toMatch(/Test\.hello\s+unary\s+\{ name: string \}\s+\{ message: string \}/);
      expect(table.stdout).toMatch(/Test\.countdown\s+server-stream/);
      expect(table.stdout).toMatch(/Test\.total\s+client-stream/);
      expect(table.stdout).toMatch(/Test\.chat\s+bidi-stream/);
      const [v] = json<Array<{ endpoints: Array<{ name: string; kind: string; requestSchema?: object }> }>>(asJson.stdout);
      expect(v?.endpoints.find((e) => e.name === 'Test.hello')?.requestSchema).toMatchObject({
        properties: { name: { type: 'string', minLength: 1 } },
        required: ['name'],
      });
    }, 60_000);

    it('call: body from the argument or stdin, metadata, msgpack, a direct --address', async () => {
      const results = await Promise.all([
        run(['call', name, 'Test.hello', '{"name":"Ada"}']),
        run(['call', name, 'Test.hello'], { input: '{"name":"Bob"}' }),
        run(['call', name, 'Test.echo', '{"x":1}', '-m', 'tenant=eu', '--json']),
        run(['call', name, 'Test.hello', '{"name":"Cy"}', '--content-type', 'application/msgpack', '--json']),
        run(['call', name, 'Test.hello', '{"name":"Di"}', '--address', a.address, '--json']),
      ]);
      for (const r of results) expect([r.code, r.stderr]).toEqual([0, '']);
      expect(results[0]?.stdout).toBe('{\n  "message": "hello Ada"\n}\n');
      expect(json(results[1]?.stdout ?? '')).toEqual({ message: 'hello Bob' });
      expect(results[2]?.stdout).toBe('{"req":{"x":1},"tenant":"eu"}\n');
      expect(results[3]?.stdout).toBe('{"message":"hello Cy"}\n');
      expect(results[4]?.stdout).toBe('{"message":"hello Di"}\n');
    }, 60_000);

    it('bad input: unknown service and endpoint (with "did you mean"), invalid JSON, the wrong command, errors from the service', async () => {
      const typo = `${name.slice(0, 4)}${name.slice(5)}`; // one letter missing
      const [svc, ep, ejson, bad, wrong, remote, invalid, env] = await Promise.all([
        run(['call', typo, 'Test.hello', '{}']),
        run(['call', name, 'Test.helo', '{}', '--json']),
        run(['call', name, 'Test.hello', '{"name":']),
        run(['describe', typo, '--json']),
        run(['call', name, 'Test.countdown', '{"from":1}']),
        run(['call', name, 'Test.missing']),
        run(['call', name, 'Test.hello', '{"name":""}', '--json']),
        cli(['services'], { env: { ...b.env, TSMICRO_REGISTRY: 'zookeeper' } }),
      ]);
      expect([svc.code, svc.stdout]).toEqual([1, '']);
      expect(svc.stderr).toContain(`error 404 Not Found (id tsmicro): service '${typo}' is not registered in the`);
      expect(svc.stderr).toContain(`did you mean: ${name}?`);
      expect(ep.code).toBe(1);
      expect(json(ep.stderr)).toMatchObject({ error: { id: 'tsmicro', code: 404, status: 'Not Found' }, suggestions: ['Test.hello'] });
      expect(ejson.code).toBe(2);
      expect(ejson.stderr).toMatch(/^error 400 Bad Request \(id tsmicro\): invalid JSON in the request argument: /);
      expect(json(bad.stderr)).toMatchObject({ error: { code: 404 }, suggestions: [name] });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain("Test.countdown is a server-stream endpoint: use 'tsmicro stream' for it");
      expect(remote.code).toBe(1);
      expect(remote.stderr).toBe(`error 404 Not Found (id ${name}): no order 42\n`);
      expect(invalid.code).toBe(1);
      expect(json(invalid.stderr)).toMatchObject({ error: { id: name, code: 400, detail: expect.stringContaining('name') } });
      expect(env.code).toBe(2);
      expect(env.stderr).toContain("unknown registry 'zookeeper' (from env TSMICRO_REGISTRY): use one of mdns, etcd, consul, memory");
    }, 60_000);

    it('a call slower than --timeout fails with 408 at the timeout', async () => {
      // The handler would take 20 s; the CLI gives up after 300 ms (the rest is process start on a busy machine).
      const r = await run(['call', name, 'Test.slow', '{"ms":20000}', '--timeout', '300']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error 408 Request Timeout/);
      expect(r.ms).toBeLessThan(15_000);
    }, 60_000);

    it('stream: a server stream prints one JSON line per message; client and bidi streams send stdin lines and close at EOF', async () => {
      const [server, client, bidi, badLine] = await Promise.all([
        run(['stream', name, 'Test.countdown', '{"from":3}']),
        run(['stream', name, 'Test.total'], { input: '{"n":1}\n\n{"n":2}\n{"n":4}\n' }),
        run(['stream', name, 'Test.chat'], { input: '{"text":"a"}\n{"text":"b"}\n' }),
        run(['stream', name, 'Test.total'], { input: '{"n":1}\nnot json\n' }),
      ]);
      expect([server.code, server.stdout]).toEqual([0, '3\n2\n1\n']);
      expect([client.code, client.stdout]).toEqual([0, '{"total":7}\n']);
      expect([bidi.code, bidi.stdout]).toEqual([0, '{"reply":"you said a"}\n{"reply":"you said b"}\n']);
      expect(badLine.code).toBe(2);
      expect(badLine.stderr).toContain('invalid JSON in stdin line 2');
    }, 60_000);

    it('publish reaches the service; subscribe prints what it publishes back (headers under --json and --verbose)', async () => {
      const sub = startCli(['subscribe', `${name}.pong`, '--count', '1', '--json'], b.env);
      const verbose = startCli(['subscribe', `${name}.*`, '--queue', 'cli-tests', '--count', '1', '--verbose'], b.env);
      extra.push(sub, verbose);
      await Promise.all([sub.line(/^subscribed to /), verbose.line(/^subscribed to \S+ in queue cli-tests via the /)]);
      const pub = await run(['publish', `${name}.ping`, '{"n":7}', '-m', 'origin=cli']);
      expect([pub.code, pub.stdout]).toEqual([0, `published to ${name}.ping (${b.broker} broker)\n`]);
      expect(await sub.exited).toBe(0);
      const msg = json<{ topic: string; headers: Record<string, string>; body: unknown }>(sub.stdout[0] ?? '');
      expect(msg).toMatchObject({ topic: `${name}.pong`, body: { n: 7 }, headers: { 'Content-Type': 'application/json' } });
      // The pattern matches the ping and the pong; whichever came first, its headers are shown before it.
      expect(await verbose.exited).toBe(0);
      expect(verbose.stdout).toHaveLength(2);
      expect(verbose.stdout[0]).toMatch(new RegExp(`^${name}\\.(ping|pong) headers \\{"Content-Type":"application/json"`));
      expect(verbose.stdout[1]).toMatch(new RegExp(`^${name}\\.(ping|pong) \\{"n":7\\}$`));
      expect(verbose.stderr.join('\n')).toContain(`broker: ${b.broker} (`);
    }, 60_000);

    it('api: the HTTP gateway calls the service by name and serves the dashboard; Ctrl-C stops it with exit 0', async () => {
      const port = await freePort();
      const api = startCli(['api', '--port', String(port), '--json'], b.env);
      extra.push(api);
      const { url } = json<{ url: string }>(await api.line(/^\{"url"/, 20_000));
      expect(url).toBe(`http://127.0.0.1:${port}`);
      const hello = await fetch(`${url}/${name}/Test.hello`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"Ada"}',
      });
      expect(hello.status).toBe(200);
      expect(JSON.stringify(await hello.json())).toContain('Ada');
      const missing = await fetch(`${url}/${name}/Test.nope`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ code: 404 });
      expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/text\/html/);
      api.proc.kill('SIGINT');
      expect(await api.exited).toBe(0);
    }, 60_000);

    it('watch shows a second node arrive; health asks both; after one is killed (SIGKILL) health fails on it and calls still work', async () => {
      const watch = startCli(['watch', name], b.env);
      extra.push(watch);
      await watch.line(/^watching the /);
      const second = await startService(name, b.env);
      extra.push(second);
      const seen = await watch.line(new RegExp(`^(create|update)\\s+${name} 1\\.0\\.0\\s+\\S+\\s+${second.address}$`));
      expect(seen).toBeTruthy();
      watch.proc.kill('SIGINT');
      expect(await watch.exited).toBe(0);

      const healthy = await run(['health', name]);
      expect(healthy.code).toBe(0);
      expect(healthy.stdout.match(/ok \(ready\)/g)).toHaveLength(2);

      await second.kill();
      const [sick, sickJson, call, direct] = await Promise.all([
        run(['health', name]),
        run(['health', name, '--json']),
        run(['call', name, 'Test.hello', '{"name":"Eve"}']),
        run(['call', name, 'Test.hello', '{"name":"Eve"}', '--address', second.address]),
      ]);
      expect(sick.stdout).toMatch(new RegExp(`${a.address}\\s+ok \\(ready\\)`));
      const dead = json<Array<{ address: string; error?: { code: number } }>>(sickJson.stdout).find((n) => n.address === second.address);
      if (b.keepsDeadNodes) {
        expect(sick.code).toBe(1);
        expect(sick.stdout).toMatch(new RegExp(`${second.address}\\s+down: 503 `));
        expect(dead?.error?.code).toBe(503);
      } else {
        expect(sick.code).toBe(0);
        expect(dead).toBeUndefined();
      }
      // Discovery (or the retry on another node) steers calls to the live node; a direct call to the dead one fails.
      expect([call.code, json(call.stdout)]).toEqual([0, { message: 'hello Eve' }]);
      expect(direct.code).toBe(1);
      expect(direct.stderr).toMatch(/^error 503 Service Unavailable/);
    }, 90_000);
  });
}
