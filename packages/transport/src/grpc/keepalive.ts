import type { Http2Session } from 'node:http2';

/**
 * Pings `session` every `interval` ms and destroys it when a PING goes unanswered for `timeout` ms:
 * a server learns of a client that vanished without closing its connection (a dead host, a cut
 * link). Returns the function that stops it. `interval` 0 disables it.
 */
export function keepSessionAlive(session: Http2Session, interval: number, timeout: number): () => void {
  if (interval <= 0) return () => {};
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const ping = () => {
    if (stopped || session.destroyed || session.closed) return;
    let answered = false;
    // The verdict waits one turn past the timeout: after a stall of this process's own event loop, timers run
    // before the socket reads that may hold the answer, and a peer that did answer must not be cut for our delay.
    const dead = setTimeout(
      () =>
        setImmediate(() => {
          if (!answered) session.destroy(new Error(`no answer to an HTTP/2 PING within ${timeout} ms`));
        }),
      timeout,
    );
    dead.unref();
    const sent = session.ping((err) => {
      answered = true;
      clearTimeout(dead);
      if (!err) schedule();
    });
    if (!sent) clearTimeout(dead);
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(ping, interval);
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
