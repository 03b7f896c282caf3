import { codecSet, defaultCodecs } from '@tsmicro/codec';
import { H } from '@tsmicro/transport/rpc';
import type { Command } from 'commander';
import { parseCount } from '../input.js';
import { toJson } from '../output.js';
import { examples, run } from '../run.js';

interface SubscribeFlags {
  queue?: string;
  count?: number;
}

/** `tsmicro subscribe <topic>`: prints each message until Ctrl-C (or `--count` messages). */
export function subscribeCommand(program: Command): void {
  program
    .command('subscribe')
    .alias('sub')
    .argument('<topic>', "topic or pattern: '*' matches one token, '>' the rest")
    .option('-q, --queue <group>', 'join a queue group: each message goes to one member')
    .option('-n, --count <n>', 'exit after n messages', parseCount('--count'))
    .description('print the messages published to a topic until Ctrl-C (headers with --verbose; --json prints one JSON line each)')
    .addHelpText('after', examples('tsmicro subscribe greeter.thanked', "tsmicro subscribe 'orders.>' --queue audit --json --count 10"))
    .action(
      run<SubscribeFlags>(async (ctx, [topic = ''], flags) => {
        const codecs = codecSet(defaultCodecs);
        const broker = ctx.broker();
        await broker.connect();
        let seen = 0;
        let enough: () => void = () => undefined;
        const done = new Promise<void>((resolve) => {
          enough = resolve;
        });
        const sub = await broker.subscribe(
          topic,
          (e) => {
            if (flags.count !== undefined && seen >= flags.count) return;
            seen++;
            const type = e.message.header[H.contentType] ?? 'application/json';
            const body = codecs.has(type) ? codecs.get(type).decode(e.message.body) : e.message.body;
            if (ctx.out.json) ctx.out.value({ topic: e.topic, headers: e.message.header, body });
            else {
              if (ctx.out.verbose) ctx.out.line(ctx.out.paint.dim(`${e.topic} headers ${toJson(e.message.header)}`));
              ctx.out.line(`${ctx.out.paint.cyan(e.topic)} ${toJson(body)}`);
            }
            if (seen === flags.count) enough();
          },
          flags.queue === undefined ? {} : { queue: flags.queue },
        );
        const via = `${broker.name} broker${broker.address ? ` at ${broker.address}` : ''}`;
        ctx.out.note(`subscribed to ${topic}${flags.queue ? ` in queue ${flags.queue}` : ''} via the ${via}; Ctrl-C to stop`);
        await Promise.race([done, ctx.interrupted()]);
        await sub.unsubscribe();
        return undefined;
      }),
    );
}
