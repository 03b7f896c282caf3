import { connect, createServer } from 'node:net';

export { microErrorOf } from './micro-error-of.js';
export { type LogLine, recordingLogger } from './recording-logger.js';

/** True when something accepts TCP connections on host:port within `timeoutMs`. */
export function reachable(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Decides whether tests needing a real server run. Under CI (env `CI` set) a missing server is a
 * failure: this throws. By hand it returns false and says on stderr that the tests are skipped.
 * @example const natsUp = await requireServer('NATS', 4222); describe.runIf(natsUp)('natsBroker', …)
 */
export async function requireServer(name: string, port: number, host = '127.0.0.1'): Promise<boolean> {
  if (await reachable(port, host)) return true;
  const where = `${host}:${port}`;
  if (process.env.CI) throw new Error(`${name} is not answering on ${where}; CI needs it (run .ci/run, which starts it)`);
  process.stderr.write(`\n[tsmicro tests] SKIPPING ${name} tests: nothing answers on ${where} (set CI=1 to make this a failure)\n`);
  return false;
}

/**
 * A loopback TCP port nothing listens on right now (bound to 0, then released), for tests that start
 * private servers or tell a program which port to use.
 * @example const port = await freePort(); spawn('nats-server', ['-p', String(port)])
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no free port'))));
    });
  });
}
