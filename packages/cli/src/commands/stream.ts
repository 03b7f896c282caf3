import type { Command } from 'commander';
import { type CallFlags, callFlags, callOptions, endpointKind, wrongCommand } from '../call-options.js';
import { isRaw, jsonLines, parseJson } from '../input.js';
import { toJson } from '../output.js';
import { examples, run } from '../run.js';

/** What a stream call sends: the `[json]` argument alone, else every JSON line of stdin. */
async function* requests(json: string | undefined, contentType: string | undefined): AsyncGenerator<unknown> {
  if (json === undefined) yield* jsonLines(contentType);
  else yield isRaw(contentType) ? new TextEncoder().encode(json) : parseJson(json, 'the request argument');
}

/**
 * `tsmicro stream <service> <Handler.method> [json]`: server streams print one JSON line per message;
 * client and bidi streams send stdin's JSON lines (or the argument) and close-send at EOF.
 */
export function streamCommand(program: Command): void {
  const cmd = program
    .command('stream')
    .argument('<service>', 'service name')
    .argument('<endpoint>', 'endpoint, Handler.method')
    .argument('[json]', 'the one request (default: one request per JSON line of stdin, close-send at EOF)')
    .description('call a streaming endpoint: print one JSON line per reply; send stdin JSON lines for client and bidi streams');
  callFlags(cmd, 'ms for the whole stream (default: none)')
    .addHelpText(
      'after',
      examples(
        `tsmicro stream greeter Greeter.countdown '{"from":3}'`,
        `printf '{"n":1}\\n{"n":2}\\n' | tsmicro stream greeter Greeter.total`,
        `tsmicro stream greeter Greeter.chat   # type JSON lines, Ctrl-D to close-send`,
      ),
    )
    .action(
      run<CallFlags>(async (ctx, [service = '', endpoint = '', json], flags) => {
        const kind = await endpointKind(ctx, service, endpoint, flags);
        if (kind === 'unary') wrongCommand(endpoint, kind, 'call');
        const stream = await ctx.client().stream(service, endpoint, callOptions(flags));
        const stop = () => void stream.close().catch(() => undefined);
        ctx.interrupted().then(stop, stop);
        // Sending and printing run together: a bidi endpoint may answer before the input ends.
        const sending = (async () => {
          for await (const m of requests(json, flags.contentType)) await stream.send(m);
          await stream.closeSend();
        })();
        let sendError: unknown;
        sending.catch((e: unknown) => {
          sendError = e;
          stop();
        });
        try {
          for await (const reply of stream) ctx.out.line(toJson(reply));
          await sending;
        } catch (e) {
          // Bad input closed the stream: report the input, not the cancellation it caused.
          throw sendError ?? e;
        } finally {
          // A failed stream must not leave the process waiting on a terminal's stdin.
          if (json === undefined) process.stdin.destroy();
        }
        return undefined;
      }),
    );
}
