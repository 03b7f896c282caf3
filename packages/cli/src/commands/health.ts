import type { Client } from '@tsmicro/client';
import { toMicroError } from '@tsmicro/core';
import type { ServiceNode, ServiceRecord } from '@tsmicro/registry';
import type { HealthReport, StatsReport } from '@tsmicro/service';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { findService } from '../discovery.js';
import { ExitCode } from '../failure.js';
import { formatAge } from '../format-description.js';
import { parseMs } from '../input.js';
import { examples, run } from '../run.js';

interface HealthFlags {
  timeout: number;
}

/** What one node answered to `Debug.health` and `Debug.stats`, or why it did not. */
export interface NodeHealth {
  service: string;
  version: string;
  node: string;
  address: string;
  health?: HealthReport;
  stats?: StatsReport;
  error?: { id: string; code: number; status: string; detail: string };
}

/** What `health` probes: one version of a service and its nodes. */
type Target = { readonly name: string; readonly version: string; readonly nodes: readonly ServiceNode[] };

async function probe(client: Client, r: Target, node: ServiceNode, timeout: number): Promise<NodeHealth> {
  const base = { service: r.name, version: r.version, node: node.id, address: node.address };
  const o = { address: node.address, timeout, retries: 0 };
  try {
    // One after the other, so the stats count no probe but their own call as in flight.
    const health = await client.call<HealthReport>(r.name, 'Debug.health', {}, o);
    const stats = await client.call<StatsReport>(r.name, 'Debug.stats', {}, o);
    return { ...base, health, stats };
  } catch (e) {
    const { id, code, status, detail } = toMicroError(e);
    return { ...base, error: { id, code, status, detail } };
  }
}

/** One service's versions (404 with "did you mean" when unknown), or every service that answers `Debug.health` (others, e.g. the http broker's, are skipped). */
async function targets(ctx: CliContext, service: string | undefined): Promise<Target[]> {
  if (service !== undefined) return findService(ctx, service);
  const answers = (r: ServiceRecord) => r.endpoints.some((e) => e.name === 'Debug.health');
  const all = await ctx.registry().listServices();
  const skipped = [...new Set(all.filter((r) => !answers(r)).map((r) => r.name))];
  if (skipped.length > 0) ctx.out.debug(`skipped (no Debug.health endpoint): ${skipped.join(', ')}`);
  return all.filter(answers);
}

function row(h: NodeHealth, paint: CliContext['out']['paint']): string[] {
  const id = [h.service, h.version, h.node, h.address];
  if (h.error) return [...id, paint.red(`down: ${h.error.code} ${h.error.detail}`), '-', '-', '-', '-', '-'];
  const s = h.stats;
  const calls = s ? Object.values(s.endpoints).reduce((n, e) => n + e.calls, 0) : 0;
  const errors = s ? Object.values(s.endpoints).reduce((n, e) => n + e.errors, 0) : 0;
  const status = `${h.health?.status ?? '?'}${h.health?.readiness ? ` (${h.health.readiness})` : ''}`;
  const mb = s ? `${(s.memory.rss / 1048576).toFixed(1)} MB` : '-';
  return [...id, paint.green(status), s ? formatAge(s.uptimeMs) : '-', String(s?.inFlight ?? '-'), String(calls), String(errors), mb];
}

/** `tsmicro health [service]`: `Debug.health` and `Debug.stats` of every node, as a table; exit 1 when a node does not answer. */
export function healthCommand(program: Command): void {
  program
    .command('health')
    .argument('[service]', 'only this service (default: every service that answers Debug.health)')
    .option('-t, --timeout <ms>', 'ms each node has to answer', parseMs('--timeout'), 2000)
    .description("ask every node for Debug.health and Debug.stats; exit code 1 when any node doesn't answer")
    .addHelpText('after', examples('tsmicro health', 'tsmicro health greeter --json'))
    .action(
      run<HealthFlags>(async (ctx, [service], flags) => {
        const records = await targets(ctx, service);
        const client = ctx.client();
        const results = await Promise.all(records.flatMap((r) => r.nodes.map((n) => probe(client, r, n, flags.timeout))));
        results.sort((a, b) => a.service.localeCompare(b.service) || a.node.localeCompare(b.node));
        if (ctx.out.json) ctx.out.value(results);
        else if (results.length === 0) ctx.out.note('no service answers Debug.health');
        else
          ctx.out.table(
            ['SERVICE', 'VERSION', 'NODE', 'ADDRESS', 'STATUS', 'UPTIME', 'IN-FLIGHT', 'CALLS', 'ERRORS', 'RSS'],
            results.map((h) => row(h, ctx.out.paint)),
          );
        return results.some((h) => h.error) ? ExitCode.failed : ExitCode.ok;
      }),
    );
}
