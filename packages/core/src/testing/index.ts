import { connect } from 'node:net';
import type { Logger } from '../logger.js';

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

/** A log line kept by {@link recordingLogger}. */
export interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/**
 * A Logger that keeps every line it is given (children log into the same list), so tests can see what was logged.
 * @example const log = recordingLogger(); createService({ name, logger: log }); expect(log.lines).toHaveLength(1)
 */
export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at =
    (level: string) =>
    (a: object | string, msg?: string): void => {
      if (typeof a === 'string') lines.push({ level, obj: {}, msg: a });
      else lines.push({ level, obj: a as Record<string, unknown>, msg });
    };
  const logger = {
    level: 'trace',
    lines,
    fatal: at('fatal'),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    child: () => logger,
  };
  return logger;
}
