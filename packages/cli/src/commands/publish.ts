import type { Metadata } from '@tsmicro/core';
import type { Command } from 'commander';
import { collectMetadata, requestBody } from '../input.js';
import { examples, run } from '../run.js';

interface PublishFlags {
  metadata?: Metadata;
  contentType?: string;
}

/** `tsmicro publish <topic> [json]`: one message through the broker a service would use. */
export function publishCommand(program: Command): void {
  program
    .command('publish')
    .alias('pub')
    .argument('<topic>', 'dot-separated topic, e.g. greeter.greeted')
    .argument('[json]', 'message body (default: stdin when piped, else {})')
    .option('-m, --metadata <key=value>', 'message header (repeatable)', collectMetadata)
    .option('-c, --content-type <type>', 'encoding: application/json, application/msgpack or application/octet-stream (raw text)')
    .description('publish one message to a topic')
    .addHelpText(
      'after',
      examples(
        `tsmicro publish greeter.greeted '{"name":"Ada"}'`,
        `TSMICRO_BROKER=nats tsmicro publish orders.created '{"id":1}' -m tenant=eu`,
      ),
    )
    .action(
      run<PublishFlags>(async (ctx, [topic = '', json], flags) => {
        const body = await requestBody(json, flags.contentType);
        const broker = ctx.broker();
        await broker.connect();
        await ctx.client().publish(topic, body, {
          ...(flags.metadata !== undefined && { metadata: flags.metadata }),
          ...(flags.contentType !== undefined && { contentType: flags.contentType }),
        });
        if (ctx.out.json) ctx.out.value({ topic, published: true, broker: broker.name });
        else ctx.out.line(`published to ${topic} (${broker.name} broker)`);
        return undefined;
      }),
    );
}
