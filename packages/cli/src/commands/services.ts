import type { ServiceRecord } from '@tsmicro/registry';
import type { Command } from 'commander';
import { examples, run } from '../run.js';

/** One row of `tsmicro services`. */
export interface ServiceSummary {
  name: string;
  /** Every registered version, sorted. */
  versions: string[];
  /** Distinct nodes over all versions. */
  nodes: number;
  /** Distinct endpoint names over all versions. */
  endpoints: number;
}

/** Registry records (one per name and version) folded into one summary per service name, sorted by name. */
export function summarizeServices(records: readonly ServiceRecord[]): ServiceSummary[] {
  const byName = new Map<string, { versions: Set<string>; nodes: Set<string>; endpoints: Set<string> }>();
  for (const r of records) {
    const s = byName.get(r.name) ?? { versions: new Set(), nodes: new Set(), endpoints: new Set() };
    s.versions.add(r.version);
    for (const n of r.nodes) s.nodes.add(n.id);
    for (const e of r.endpoints) s.endpoints.add(e.name);
    byName.set(r.name, s);
  }
  return [...byName]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => ({ name, versions: [...s.versions].sort(), nodes: s.nodes.size, endpoints: s.endpoints.size }));
}

/** `tsmicro services`: every registered service with its versions, node count and endpoint count. */
export function servicesCommand(program: Command): void {
  program
    .command('services')
    .alias('ls')
    .description('list every registered service with its versions, node count and endpoint count')
    .addHelpText('after', examples('tsmicro services', 'TSMICRO_REGISTRY=etcd tsmicro services --json'))
    .action(
      run(async (ctx) => {
        const list = summarizeServices(await ctx.registry().listServices());
        if (ctx.out.json) ctx.out.value(list);
        else if (list.length === 0) ctx.out.note(`no services registered in ${ctx.registryChoice.kind}`);
        else
          ctx.out.table(
            ['SERVICE', 'VERSIONS', 'NODES', 'ENDPOINTS'],
            list.map((s) => [s.name, s.versions.join(', '), String(s.nodes), String(s.endpoints)]),
          );
        return undefined;
      }),
    );
}
