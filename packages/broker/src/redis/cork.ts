import type { Redis } from 'ioredis';

/**
 * Before each command on a connection: holds its writes until the next tick, so the commands of one
 * synchronous run (a burst of publishes) leave in one write, and Redis reads them in one read, rather
 * than a syscall on each side per command (ioredis writes every command as it is made). Order and
 * replies are unchanged: only when the bytes leave. Per broker, not per module: no shared state.
 */
export function tickCorker(): (r: Redis) => void {
  let corked = false;
  return (r) => {
    if (corked || r.status !== 'ready') return;
    const s = r.stream;
    corked = true;
    s.cork();
    process.nextTick(() => {
      corked = false;
      s.uncork();
    });
  };
}
