import type { Command } from 'commander';
import { type CallFlags, callFlags, callOptions, endpointKind, wrongCommand } from '../call-options.js';
import { isRaw, requestBody } from '../input.js';
import { examples, run } from '../run.js';

/** `tsmicro call <service> <Handler.method> [json]`: one unary call; prints the reply as JSON. */
export function callCommand(program: Command): void {
  const cmd = program
    .command('call')
    .argument('<service>', 'service name')
    .argument('<endpoint>', 'endpoint, Handler.method')
    .argument('[json]', 'request body (default: stdin when piped, else {})')
    .description('call a unary endpoint and print the reply as JSON');
  callFlags(cmd, 'ms for the whole call (default 5000)')
    .addHelpText(
      'after',
      examples(
        `tsmicro call greeter Greeter.hello '{"name":"Ada"}'`,
        `echo '{"name":"Ada"}' | tsmicro call greeter Greeter.hello --timeout 1000 -m tenant=eu`,
        `tsmicro call greeter Greeter.hello '{"name":"Ada"}' --address 127.0.0.1:40123`,
      ),
    )
    .action(
      run<CallFlags>(async (ctx, [service = '', endpoint = '', json], flags) => {
        const body = await requestBody(json, flags.contentType);
        const kind = await endpointKind(ctx, service, endpoint, flags);
        if (kind !== undefined && kind !== 'unary') wrongCommand(endpoint, kind, 'stream');
        const reply = await ctx.client().call(service, endpoint, body, callOptions(flags));
        if (isRaw(flags.contentType) && reply instanceof Uint8Array) process.stdout.write(reply);
        else ctx.out.value(reply);
        return undefined;
      }),
    );
}
