import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { memoryRegistry, type Registry } from '@tsmicro/registry';

/** Real server processes for the at-most-once and frozen-node tests (see work-node.ts). */
const NODE = fileURLToPath(new URL('./work-node.ts', import.meta.url));

export interface WorkNode {
  child: ChildProcess;
  address: string;
  exited: Promise<void>;
}

/** Starts a real server process; resolves once it listens. */
export function startNode(log: string, env: Record<string, string> = {}): Promise<WorkNode> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', NODE], {
    env: { ...process.env, WORK_LOG: log, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('work node did not start within 20 s')), 20_000);
    child.once('message', (m) => {
      clearTimeout(t);
      resolve({ child, address: (m as { address: string }).address, exited });
    });
    child.once('exit', (code) => reject(new Error(`work node exited with ${code} before it was ready`)));
  });
}

/** How often each id was executed, from the log every node appends to. */
export async function executions(log: string): Promise<Map<string, number>> {
  const text = await readFile(log, 'utf8').catch(() => '');
  const runs = new Map<string, number>();
  for (const id of text.split('\n').filter(Boolean)) runs.set(id, (runs.get(id) ?? 0) + 1);
  return runs;
}

export async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(10);
  }
}

/** `count` work nodes of one uniquely named service, listed in a memory registry; `close()` kills them all (continuing stopped ones). */
export interface WorkCluster {
  log: string;
  service: string;
  nodes: WorkNode[];
  registry: Registry;
  close(): Promise<void>;
}

export async function startWorkCluster(count: number, env: Record<string, string> = {}): Promise<WorkCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'work-'));
  const log = join(dir, 'executions.log');
  const service = `work-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const nodes = await Promise.all(Array.from({ length: count }, () => startNode(log, { ...env, WORK_SERVICE: service })));
  const registry = memoryRegistry();
  await registry.register({
    name: service,
    version: 'latest',
    metadata: {},
    endpoints: [],
    nodes: nodes.map((n, i) => ({ id: `node-${i}`, address: n.address, metadata: {} })),
  });
  return {
    log,
    service,
    nodes,
    registry,
    async close() {
      await registry.close();
      // A stopped process must be continued (or killed) whatever happened.
      for (const n of nodes) {
        n.child.kill('SIGCONT');
        n.child.kill('SIGKILL');
      }
      await Promise.all(nodes.map((n) => n.exited));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
