import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { internalServerError } from '@tsmicro/core';
import { createInbox } from './inbox.js';
import type { FromRegistrant, RegistrantSpec, ToRegistrant } from './registrant-protocol.js';

/** The registrant child process, seen from the bench. */
export interface Registrant {
  send(m: ToRegistrant): void;
  /** The next message of `type`; rejects when the child reports an error, exits, or `ms` pass first. */
  next<K extends FromRegistrant['type']>(
    type: K,
    ms: number,
    match?: (m: Extract<FromRegistrant, { type: K }>) => boolean,
  ): Promise<Extract<FromRegistrant, { type: K }>>;
  /** Asks the child to close its registry and exit; kills it if it has not within `ms`. */
  stop(ms?: number): Promise<void>;
}

// From source (tsx, vitest) the child needs the same loader; built files run as they are.
const fromSource = import.meta.url.endsWith('.ts');
const entry = fileURLToPath(new URL(fromSource ? './registrant.ts' : './registrant.js', import.meta.url));
const execArgv = fromSource ? ['--conditions=source', '--import', 'tsx'] : [];

const exited = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;

/** Forks the registrant and waits (up to `readyMs`) until its registry is open. */
export async function spawnRegistrant(spec: RegistrantSpec, readyMs = 15_000): Promise<Registrant> {
  const proc = fork(entry, [JSON.stringify(spec)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox = createInbox<FromRegistrant>();
  let failure: string | undefined;
  proc.on('message', (m) => {
    const msg = m as FromRegistrant;
    if (msg.type === 'error') {
      failure ??= `registrant (${spec.registry.kind}): ${msg.message}`;
      inbox.end(failure);
    } else inbox.push(msg);
  });
  proc.on('exit', (code, signal) => inbox.end(failure ?? `registrant (${spec.registry.kind}) exited (code ${code}, signal ${signal})`));
  const registrant: Registrant = {
    send(m) {
      if (proc.connected) proc.send(m);
    },
    async next<K extends FromRegistrant['type']>(type: K, ms: number, match?: (m: Extract<FromRegistrant, { type: K }>) => boolean) {
      const is = (m: FromRegistrant): m is Extract<FromRegistrant, { type: K }> => m.type === type;
      const m = await inbox.take((x) => is(x) && (!match || match(x)), ms, `'${type}' from the ${spec.registry.kind} registrant`);
      if (!is(m)) throw internalServerError(`registrant inbox returned '${m.type}' for '${type}'`);
      return m;
    },
    async stop(ms = 5000) {
      if (exited(proc)) return;
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      registrant.send({ type: 'close' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
      await gone;
      clearTimeout(timer);
    },
  };
  try {
    await registrant.next('ready', readyMs);
    return registrant;
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
}
