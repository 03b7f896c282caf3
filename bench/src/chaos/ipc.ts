import type { ChildProcess } from 'node:child_process';

/** A child's IPC messages, kept in order so none is missed between awaits. */
export interface Inbox<M extends { type: string }> {
  /** The next message of `type` (taken out of the inbox); rejects on an `error` message, exit, abort or after `ms`. */
  next<T extends M['type']>(type: T, ms: number): Promise<Extract<M, { type: T }>>;
  /** Every message of `type` received so far, left in place. */
  all<T extends M['type']>(type: T): Array<Extract<M, { type: T }>>;
  send(m: object): void;
  /** Resolves with the exit code/signal, or `undefined` if the child is still running after `ms`. */
  exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined>;
}

/** @example const box = inbox<FromServer>(child, 'server 1'); const r = await box.next('ready', 15_000) */
export function inbox<M extends { type: string }>(child: ChildProcess, label: string): Inbox<M> {
  const box: M[] = [];
  const waiters = new Set<() => void>();
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  child.on('message', (m) => {
    box.push(m as M);
    wake();
  });
  child.once('exit', (code, signal) => {
    exit = { code, signal };
    wake();
  });
  const wait = <R>(check: () => R | undefined, ms: number, what: string): Promise<R> =>
    new Promise((resolve, reject) => {
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(tick);
        f();
      };
      const tick = () => {
        try {
          const r = check();
          if (r !== undefined) done(() => resolve(r));
        } catch (e) {
          done(() => reject(e));
        }
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${label}: no ${what} within ${ms} ms`))), ms);
      waiters.add(tick);
      tick();
    });
  return {
    next(type, ms) {
      return wait(
        () => {
          const i = box.findIndex((m) => m.type === type || m.type === 'error');
          const m = i >= 0 ? box.splice(i, 1)[0] : undefined;
          if (m?.type === 'error') throw new Error(`${label}: ${(m as { message?: string }).message ?? 'failed'}`);
          if (m) return m as Extract<M, { type: typeof type }>;
          if (exit) throw new Error(`${label} exited (code ${exit.code}, signal ${exit.signal}) before sending '${type}'`);
          return undefined;
        },
        ms,
        `'${type}'`,
      );
    },
    all: (type) => box.filter((m): m is Extract<M, { type: typeof type }> => m.type === type),
    send(m) {
      if (child.connected) child.send(m);
    },
    exited(ms) {
      return wait(() => exit, ms, 'exit').catch(() => undefined);
    },
  };
}
