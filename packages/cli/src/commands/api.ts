import { createGateway, type GatewayRateLimitOptions } from '@tsmicro/gateway';
import type { Command } from 'commander';
import { parseRateLimit, parseTrustProxy } from '../gateway-flags.js';
import { parseCount, parseMs } from '../input.js';
import { examples, run } from '../run.js';

interface ApiFlags {
  port: number;
  host: string;
  dashboard: boolean;
  publish?: boolean;
  allow?: string[];
  deny?: string[];
  timeout?: number;
  maxTimeout?: number;
  cors?: string[];
  trustProxy?: number | string[];
  rateLimit?: GatewayRateLimitOptions;
}

/** `tsmicro api`: the HTTP gateway and web dashboard over the same registry (and broker) as every other command, until Ctrl-C. */
export function apiCommand(program: Command): void {
  program
    .command('api')
    .description('serve every service over HTTP (POST /{service}/{Handler.method}) with the web dashboard at /, until Ctrl-C')
    .option('-p, --port <n>', 'port to listen on', parseCount('--port'), 8080)
    .option('--host <ip>', 'address to listen on; 0.0.0.0 serves every interface (default: loopback only)', '127.0.0.1')
    .option('--no-dashboard', 'serve the API only, no dashboard at /')
    .option('--publish', 'turn on POST /events/{topic} and live topic tails through the broker (off by default)')
    .option('--allow <pattern...>', "services and endpoints exposed ('greeter', 'greeter/Greeter.*'); Debug.* only when named", ['*'])
    .option('--deny <pattern...>', 'services and endpoints refused (404); wins over --allow')
    .option('--timeout <ms>', "each call's deadline when the request names none", parseMs('--timeout'))
    .option(
      '--max-timeout <ms>',
      'cap on the deadline a request asks for (x-timeout, grpc-timeout); default 60000',
      parseMs('--max-timeout'),
    )
    .option('--cors <origin...>', 'answer CORS for these browser origins')
    .option(
      '--rate-limit <rps[:burst]>',
      'requests per second per client address (429 beyond it), with an optional burst; health probes are never limited',
      parseRateLimit,
    )
    .option(
      '--trust-proxy <hops|addr,cidr,...>',
      'believe X-Forwarded-For from proxies in front: a hop count, or their addresses and CIDR blocks (default: the header is ignored)',
      parseTrustProxy,
    )
    .addHelpText(
      'after',
      examples(
        'tsmicro api --port 8080',
        `curl -H 'content-type: application/json' -d '{"name":"Ada"}' http://127.0.0.1:8080/greeter/Greeter.hello`,
        'tsmicro --registry etcd api --host 0.0.0.0 --no-dashboard --allow greeter',
        'tsmicro --broker nats api --publish',
        "tsmicro api --allow '*' '*/Debug.*'                            # the dashboard shows each node's health and stats",
        'tsmicro api --rate-limit 50:100 --trust-proxy 1              # one proxy in front; 50 req/s per client, bursts of 100',
        'tsmicro api --rate-limit 0.5 --trust-proxy 10.0.0.0/8,192.168.1.5',
      ),
    )
    .action(
      run<ApiFlags>(async (ctx, _args, flags) => {
        const broker = flags.publish ? ctx.broker() : undefined;
        await broker?.connect();
        const gateway = createGateway({
          registry: ctx.registry(),
          ...(broker && { broker, publish: true }),
          dashboard: flags.dashboard,
          allow: flags.allow ?? ['*'],
          ...(flags.deny && { deny: flags.deny }),
          ...(flags.timeout !== undefined && { client: { timeout: flags.timeout } }),
          ...(flags.maxTimeout !== undefined && { maxTimeoutMs: flags.maxTimeout }),
          ...(flags.cors && { cors: { origin: flags.cors } }),
          ...(flags.rateLimit && { rateLimit: flags.rateLimit }),
          ...(flags.trustProxy !== undefined && { trustProxy: flags.trustProxy }),
        });
        const { url, port } = await gateway.listen({ port: flags.port, host: flags.host });
        if (ctx.out.json) ctx.out.value({ url, port, dashboard: flags.dashboard, publish: broker !== undefined });
        else {
          ctx.out.line(`gateway listening on ${url}${flags.dashboard ? ` (dashboard at ${url}/)` : ''}`);
          ctx.out.note(`registry: ${ctx.registryChoice.kind}${broker ? `, broker: ${broker.name}` : ''}; Ctrl-C to stop`);
        }
        await ctx.interrupted();
        await gateway.close();
        return undefined;
      }),
    );
}
