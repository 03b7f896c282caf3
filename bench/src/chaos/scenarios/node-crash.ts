import {
  callerFigures,
  kinds,
  loadSpec,
  pause,
  privateEtcd,
  privateMdns,
  type ServerProc,
  serverSpec,
  startLoad,
  startServer,
  terminate,
} from '../cluster.js';
import type { DiscoverySpec } from '../nodes/protocol.js';
import type { ChaosScenario, ScenarioContext } from '../scenario.js';

const UNPICKED_TARGET_MS = 1000;

interface CrashRun {
  figures: Record<string, number>;
  pass: boolean;
  note: string;
}

/** 3 servers, c=64 idempotent unary calls with retries, SIGKILL one server a few seconds in. */
async function crashOnce(ctx: ScenarioContext, discovery: DiscoverySpec, label: string): Promise<CrashRun> {
  const durationMs = ctx.quick ? 5000 : 10_000;
  const killAfterMs = ctx.quick ? 2000 : 3000;
  const servers: ServerProc[] = await Promise.all([0, 1, 2].map((i) => startServer(ctx, serverSpec(discovery), `${label} server ${i}`)));
  try {
    const load = await startLoad(ctx, loadSpec(discovery, { durationMs }));
    await pause(load.startedAt + killAfterMs - Date.now(), ctx.signal);
    const victim = servers[0];
    if (!victim) throw new Error('no server to kill');
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    ctx.log(`${label}: SIGKILLed ${victim.address} at t=${killedAt - load.startedAt} ms`);
    const r = await load.result();
    const dead = r.nodes[victim.address];
    const unpickedMs = dead ? Math.max(0, dead.lastRouted - killedAt) : 0;
    const failedOnDead = dead?.failed ?? 0;
    const pass = r.failed === 0 && unpickedMs <= UNPICKED_TARGET_MS && r.succeeded > 0;
    const figures: Record<string, number> = {};
    for (const [k, v] of Object.entries({ ...callerFigures(r), 'dead unpicked ms': unpickedMs, 'attempts failed on dead': failedOnDead })) {
      figures[`${label} ${k}`] = v;
    }
    const note = `${label}: caller failures: ${kinds(r.failures)}; failed attempts: ${kinds(r.attemptErrors)}`;
    return { figures, pass, note };
  } finally {
    await Promise.all(servers.slice(1).map((s) => terminate(s, 8000)));
  }
}

/** Scenario 1: node crash under load, behind mDNS and again behind etcd. */
export const scenario: ChaosScenario = {
  name: 'node-crash',
  budgetSeconds: 50,
  async run(ctx) {
    const target = `0 caller-visible failures (idempotent calls, 2 retries), dead node unpicked within ${UNPICKED_TARGET_MS} ms`;
    const runs: CrashRun[] = [await crashOnce(ctx, privateMdns(), 'mdns')];
    const etcd = await privateEtcd();
    const notes = runs.map((r) => r.note);
    if (etcd) runs.push(await crashOnce(ctx, etcd, 'etcd'));
    else notes.push('etcd skipped: nothing answers on 127.0.0.1:2379 (run scripts/services/etcd.sh)');
    if (etcd) notes.push(runs[1]?.note ?? '');
    return {
      name: 'node-crash',
      pass: runs.every((r) => r.pass),
      target,
      figures: Object.assign({}, ...runs.map((r) => r.figures)) as Record<string, number>,
      notes: notes.join(' | '),
    };
  },
};
