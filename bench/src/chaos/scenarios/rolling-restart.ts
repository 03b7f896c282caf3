import {
  callerFigures,
  kinds,
  loadSpec,
  pause,
  privateMdns,
  type ServerProc,
  serverSpec,
  startLoad,
  startServer,
  terminate,
  until,
} from '../cluster.js';
import type { ChaosScenario } from '../scenario.js';

/** Failed attempts that never started work on the server: safe by construction, so not "cut". */
const NOT_STARTED = [/is stopping/, /^503 cannot connect/, /^503 cannot send to/, /^503 connection to .* is closed/];

/** Scenario 2: SIGTERM each of 3 servers in turn under load; each is replaced by a new process on a new port first. */
export const scenario: ChaosScenario = {
  name: 'rolling-restart',
  budgetSeconds: 50,
  async run(ctx) {
    const discovery = privateMdns();
    const spec = serverSpec(discovery);
    const servers: ServerProc[] = await Promise.all([0, 1, 2].map((i) => startServer(ctx, spec, `server ${i}`)));
    const load = await startLoad(ctx, loadSpec(discovery, { durationMs: 40_000 }));
    let slowestStopMs = 0;
    let slowestPickupMs = 0;
    const leftovers: string[] = [];
    const termAt = new Map<string, number>();
    try {
      await pause(ctx.quick ? 1000 : 2000, ctx.signal);
      for (let i = 0; i < 3 && !ctx.signal.aborted; i++) {
        const old = servers[i];
        if (!old) break;
        termAt.set(old.address, Date.now());
        // The replacement starts while the old one drains: a rolling deploy never drops below 2 nodes.
        const [stopped, fresh] = await Promise.all([terminate(old, 10_000), startServer(ctx, spec, `server ${i}'`)]);
        servers[i] = fresh;
        if (stopped.ms === undefined) leftovers.push(`${old.address} did not exit by itself within 10 s`);
        // Resources still open right after stop are fine if the process then exits by itself.
        else slowestStopMs = Math.max(slowestStopMs, stopped.ms);
        if (stopped.ms === undefined && stopped.leftover.length > 0) leftovers.push(`${old.address} left ${stopped.leftover.join(',')}`);
        const t0 = Date.now();
        const picked = await until(async () => (await load.recent(300)).includes(fresh.address), 10_000, 100);
        if (!picked) leftovers.push(`${fresh.address} got no traffic within 10 s`);
        slowestPickupMs = Math.max(slowestPickupMs, Date.now() - t0);
        ctx.log(`restarted server ${i}: ${old.address} → ${fresh.address} (old stopped in ${stopped.ms ?? '?'} ms)`);
      }
      await pause(1000, ctx.signal);
    } finally {
      load.box.send({ type: 'stop' });
    }
    const r = await load.result();
    await Promise.all(servers.map((s) => terminate(s, 8000)));
    // How long after SIGTERM clients kept routing to the stopping node (discovery lag).
    const lag = [...termAt].map(([a, t]) => Math.max(0, (r.nodes[a]?.lastRouted ?? 0) - t));
    const cut = Object.entries(r.attemptErrors)
      .filter(([k]) => !NOT_STARTED.some((re) => re.test(k)))
      .reduce((n, [, v]) => n + v, 0);
    const refused = Object.entries(r.attemptErrors)
      .filter(([k]) => NOT_STARTED.some((re) => re.test(k)))
      .reduce((n, [, v]) => n + v, 0);
    return {
      name: 'rolling-restart',
      pass: r.failed === 0 && cut === 0 && leftovers.length === 0 && r.succeeded > 0,
      target: '0 caller-visible failures, 0 calls cut mid-flight, each stopped server exits by itself',
      figures: {
        ...callerFigures(r),
        'cut mid-flight': cut,
        'refused while stopping (retried)': refused,
        'slowest graceful stop ms': slowestStopMs,
        'slowest new-node pickup ms': slowestPickupMs,
        'max ms routed to a node after its SIGTERM': Math.max(0, ...lag),
      },
      notes: `failed attempts: ${kinds(r.attemptErrors)}; caller failures: ${kinds(r.failures)}${leftovers.length ? `; ${leftovers.join('; ')}` : ''}`,
    };
  },
};
