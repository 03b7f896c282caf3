import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gatewayTimeout, internalServerError } from '@tsmicro/core';
import type { ChildSpec, FromChild } from './protocol.js';

/** A bench child process and the messages it sends over IPC. */
export interface Child {
  readonly proc: ChildProcess;
  /** The next message of `type`; rejects when the child exits or `ms` pass first. */
  next<T extends FromChild['type']>(type: T, ms: number): Promise<Extract<FromChild, { type: T }>>;
  send(m: object): void;
}

/** Every child the run started, so a failure anywhere still kills them all. */
export interface ProcessGroup {
  spawn(spec: ChildSpec): Child;
  killAll(): void;
}

// Built files run as they are; from source (tsx, vitest) children need the same loader.
const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');
const entry = fileURLToPath(new URL(fromSource ? './child.ts' : './child.js', import.meta.url));
// BENCH_NODE_ARGS (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof') reaches only the children, which
// is where the stacks under test run; node refuses --cpu-prof in NODE_OPTIONS.
const extraArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const execArgv = [...(fromSource ? ['--conditions=source', '--import', 'tsx'] : []), ...extraArgs];
// The by-name rows find their server through mDNS: loopback only, unless the caller pinned another interface.
const env = { TSMICRO_MDNS_INTERFACE: '127.0.0.1', ...process.env };

function wrap(proc: ChildProcess, label: string): Child {
  const inbox: FromChild[] = [];
  const waiters = new Set<() => void>();
  let exited: string | undefined;
  proc.on('message', (m) => {
    inbox.push(m as FromChild);
    for (const w of waiters) w();
  });
  proc.on('exit', (code, signal) => {
    exited = `${label} exited (code ${code}, signal ${signal})`;
    for (const w of waiters) w();
  });
  return {
    proc,
    send(m) {
      if (proc.connected) proc.send(m);
    },
    next(type, ms) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const i = inbox.findIndex((m) => m.type === type || m.type === 'error');
          const m = i >= 0 ? inbox.splice(i, 1)[0] : undefined;
          if (m?.type === 'error') return finish(() => reject(internalServerError(`${label}: ${m.message}`)));
          if (m) return finish(() => resolve(m as Extract<FromChild, { type: typeof type }>));
          if (exited !== undefined) return finish(() => reject(internalServerError(`${exited} before sending '${type}'`)));
        };
        const finish = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        const timer = setTimeout(() => finish(() => reject(gatewayTimeout(`${label}: no '${type}' within ${ms} ms`))), ms);
        waiters.add(check);
        check();
      });
    },
  };
}

/** @example const g = createProcessGroup(); try { … g.spawn(spec) … } finally { g.killAll() } */
export function createProcessGroup(): ProcessGroup {
  const procs = new Set<ChildProcess>();
  return {
    spawn(spec) {
      const proc = fork(entry, [JSON.stringify(spec)], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      procs.add(proc);
      proc.on('exit', () => procs.delete(proc));
      return wrap(proc, `${spec.role} (${spec.impl})`);
    },
    killAll() {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      procs.clear();
    },
  };
}
