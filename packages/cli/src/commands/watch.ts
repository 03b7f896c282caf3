import type { WatchEvent } from '@tsmicro/registry';
import type { Command } from 'commander';
import { parseCount } from '../input.js';
import type { Paint } from '../output.js';
import { examples, run } from '../run.js';

interface WatchFlags {
  count?: number;
}

/** One watch event for the JSON output: the action, the service and its nodes. */
export function eventJson(e: WatchEvent) {
  const s = e.service;
  return { action: e.action, service: s.name, version: s.version, nodes: s.nodes, endpoints: s.endpoints.map((x) => x.name) };
}

/** `create  greeter 1.0.0  greeter-1f…  127.0.0.1:4000` — one line per node of the event. */
export function eventLines(e: WatchEvent, paint: Pick<Paint, 'green' | 'yellow' | 'red'>): string[] {
  const colour = e.action === 'create' ? paint.green : e.action === 'update' ? paint.yellow : paint.red;
  const head = `${colour(e.action.padEnd(6))}  ${e.service.name} ${e.service.version}`;
  if (e.service.nodes.length === 0) return [head];
  return e.service.nodes.map((n) => `${head}  ${n.id}  ${n.address}`);
}

/** `tsmicro watch [service]`: registry events as they happen, until Ctrl-C (or `--count` events). */
export function watchCommand(program: Command): void {
  program
    .command('watch')
    .argument('[service]', 'only this service (default: every service)')
    .option('-n, --count <n>', 'exit after n events', parseCount('--count'))
    .description('print registry events (create, update, delete, with the node) live until Ctrl-C')
    .addHelpText('after', examples('tsmicro watch', 'tsmicro watch greeter --json'))
    .action(
      run<WatchFlags>(async (ctx, [service], flags) => {
        const ac = new AbortController();
        const registry = ctx.registry();
        ctx.interrupted().then(
          () => ac.abort(),
          () => ac.abort(),
        );
        const events = registry.watch({ signal: ac.signal, ...(service !== undefined && { service }) });
        ctx.out.note(`watching the ${ctx.registryChoice.kind} registry${service ? ` for ${service}` : ''}; Ctrl-C to stop`);
        let seen = 0;
        for await (const e of events) {
          if (ctx.out.json) ctx.out.value(eventJson(e));
          else for (const l of eventLines(e, ctx.out.paint)) ctx.out.line(l);
          if (++seen === flags.count) break;
        }
        ac.abort();
        return undefined;
      }),
    );
}
