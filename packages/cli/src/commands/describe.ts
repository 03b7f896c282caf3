import type { Command } from 'commander';
import { findService } from '../discovery.js';
import { formatDescription } from '../format-description.js';
import { examples, run } from '../run.js';

/** `tsmicro describe <service>`: nodes and endpoints (kind, request/response JSON Schema) of every version. */
export function describeCommand(program: Command): void {
  program
    .command('describe')
    .argument('<service>', 'service name')
    .description('show the nodes (id, address, transport, metadata, age) and endpoints (kind, schemas) of a service')
    .addHelpText('after', examples('tsmicro describe greeter', 'tsmicro describe greeter --json | jq ".[0].endpoints"'))
    .action(
      run(async (ctx, [service]) => {
        const versions = await findService(ctx, service ?? '');
        if (ctx.out.json) ctx.out.value(versions);
        else ctx.out.line(formatDescription(versions, Date.now(), ctx.out.paint));
        return undefined;
      }),
    );
}
