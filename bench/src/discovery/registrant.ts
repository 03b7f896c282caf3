import { openRegistry } from './backends.js';
import type { FromRegistrant, RegistrantSpec, ToRegistrant } from './registrant-protocol.js';
import { roundRecord } from './registrant-protocol.js';

/**
 * The registrant of the discovery-latency bench, run as its own process: registers and
 * deregisters one node per round when the parent says so, and reports when each call began.
 */

const send = (m: FromRegistrant) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(m, () => resolve());
  });

// An orphan must not outlive the bench that started it.
process.on('disconnect', () => process.exit(1));

try {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error('registrant needs a JSON spec in argv[2]');
  const spec = JSON.parse(arg) as RegistrantSpec;
  const registry = await openRegistry(spec.registry);
  process.on('message', (raw) => {
    const m = raw as ToRegistrant;
    if (m.type === 'ping') {
      void send({ type: 'pong', now: performance.now() });
    } else if (m.type === 'close') {
      void registry.close().finally(() => process.exit(0));
    } else {
      const record = roundRecord(spec.service, m.round);
      const at = performance.now();
      const op = m.type === 'register' ? registry.register(record, { ttl: spec.ttl }) : registry.deregister(record);
      op.then(
        () => send({ type: 'done', op: m.type, round: m.round, at }),
        (e: unknown) => send({ type: 'error', message: `${m.type} round ${m.round}: ${(e as Error).message}` }),
      );
    }
  });
  await send({ type: 'ready' });
} catch (e) {
  await send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
