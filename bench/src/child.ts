import type { ChildSpec, FromChild, ToChild } from './protocol.js';
import { BIG_PAYLOAD_BYTES, parseSpec } from './protocol.js';

/**
 * Entry of every bench child process: argv[2] holds a JSON {@link ChildSpec}; results go back over
 * IPC. Each role imports only what it needs, so RSS reflects the stack under test, not the others.
 */

const report = (m: FromChild) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(m, () => resolve());
  });

const rss = () => process.memoryUsage().rss;

const cpuNow = (): FromChild => {
  const u = process.cpuUsage();
  return { type: 'cpu', us: u.user + u.system, at: performance.now() };
};

/** Waits for one message from the parent, answering `rss` and `cpu` requests meanwhile. */
function onParent(handle: (m: ToChild) => void): void {
  process.on('message', (raw) => {
    const m = raw as ToChild;
    if (m.type === 'rss') void report({ type: 'rss', rss: rss() });
    else if (m.type === 'cpu') void report(cpuNow());
    else handle(m);
  });
}

async function main(spec: ChildSpec): Promise<void> {
  switch (spec.role) {
    case 'echo-server': {
      const { startEchoServer } = await import('./echo/target.js');
      const server = await startEchoServer(spec.impl, spec.service);
      onParent((m) => {
        if (m.type !== 'stop') return;
        const after = rss();
        void server.close().finally(() => report({ type: 'stopped', rss: after }).then(() => process.exit(0)));
      });
      await report({ type: 'ready', address: server.address });
      return;
    }
    case 'echo-client': {
      const { connectEcho } = await import('./echo/target.js');
      const { runClosedLoop, runStreamLoop } = await import('./load.js');
      const client = await connectEcho(spec.impl, spec.address, spec.service);
      const onWindow = () => void report({ type: 'window' });
      const timing = { concurrency: spec.concurrency, warmupMs: spec.warmupMs, measureMs: spec.measureMs, onWindow };
      const req = spec.workload === 'W2' ? { data: 'x'.repeat(BIG_PAYLOAD_BYTES) } : { name: 'bench' };
      const load =
        spec.workload === 'W4'
          ? await runStreamLoop((onItem) => client.stream(spec.streamCount, onItem), timing)
          : await runClosedLoop(() => client.call(req), timing);
      await report({ type: 'result', load, rss: rss() });
      await client.close().catch(() => {});
      process.exit(0);
      return;
    }
    case 'sub': {
      const { runSubscriber } = await import('./pubsub/roles.js');
      const finished = new Promise<number>((resolve) => onParent((m) => m.type === 'finish' && resolve(m.published)));
      const r = await runSubscriber(spec, (address, seed) => report({ type: 'ready', address, seed }), finished);
      await report({ type: 'received', ...r, rss: rss() });
      process.exit(0);
      return;
    }
    case 'pub': {
      const { runPublisher } = await import('./pubsub/roles.js');
      const r = await runPublisher(spec);
      await report({ type: 'published', ...r, rss: rss() });
      process.exit(0);
    }
  }
}

// An orphan must not outlive the run that started it.
process.on('disconnect', () => process.exit(1));

try {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error('bench child needs a JSON spec in argv[2]');
  await main(parseSpec(arg));
} catch (e) {
  await report({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
