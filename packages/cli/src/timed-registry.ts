import type { Registry, ServiceRecord } from '@tsmicro/registry';

/** `n record(s): name@version (k nodes), …` — what a registry answered, short enough for one line. */
export function summarize(records: readonly ServiceRecord[]): string {
  if (records.length === 0) return 'nothing';
  const shown = records.slice(0, 8).map((r) => `${r.name}@${r.version} (${r.nodes.length} node${r.nodes.length === 1 ? '' : 's'})`);
  return `${records.length} record(s): ${shown.join(', ')}${records.length > 8 ? ', …' : ''}`;
}

/**
 * The registry with each lookup reported through `debug`: which registry (`where`), the question,
 * what it answered and how long it took. Used for `--verbose`; the calls themselves are unchanged.
 */
export function timedRegistry(registry: Registry, where: string, debug: (line: string) => void): Registry {
  async function timed(question: string, ask: () => Promise<ServiceRecord[]>): Promise<ServiceRecord[]> {
    const t0 = performance.now();
    try {
      const records = await ask();
      debug(`asked ${where}: ${question} -> ${summarize(records)} in ${Math.round(performance.now() - t0)} ms`);
      return records;
    } catch (e) {
      debug(
        `asked ${where}: ${question} -> failed after ${Math.round(performance.now() - t0)} ms: ${e instanceof Error ? e.message : String(e)}`,
      );
      throw e;
    }
  }
  return {
    name: registry.name,
    register: (s, o) => registry.register(s, o),
    deregister: (s) => registry.deregister(s),
    getService: (name) => timed(`getService('${name}')`, () => registry.getService(name)),
    listServices: () => timed('listServices()', () => registry.listServices()),
    watch: (o) => {
      debug(`watching ${where}${o?.service ? ` for '${o.service}'` : ''}`);
      return registry.watch(o);
    },
    close: () => registry.close(),
  };
}
