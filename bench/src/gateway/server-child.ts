/**
 * Entry of the GW rows' server processes: argv[2] is a JSON {@link GwServerSpec}. Reports
 * `{ type: 'ready', address }` over IPC, answers `{ type: 'cpu' }` with its CPU time so far (µs),
 * stops on `{ type: 'stop' }` or when the parent goes away.
 */
import { type GwServerSpec, startStack } from './stacks.js';

process.on('disconnect', () => process.exit(1));
const spec = JSON.parse(process.argv[2] ?? '{}') as GwServerSpec;
try {
  const run = startStack[spec.role];
  if (!run) throw new Error(`unknown GW server role ${JSON.stringify(spec.role)}`);
  const r = await run(spec);
  process.on('message', (m) => {
    const type = (m as { type?: string }).type;
    if (type === 'stop') void r.close().finally(() => process.exit(0));
    if (type === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ type: 'cpu', us: u.user + u.system });
    }
  });
  process.send?.({ type: 'ready', address: r.address });
} catch (e) {
  process.send?.({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
