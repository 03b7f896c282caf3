import { pino } from 'pino';
import { badRequest } from './errors.js';

type LogFn = {
  (obj: object, msg?: string): void;
  (msg: string): void;
};

/** The logging surface tsmicro needs: a structural subset of pino's `Logger`, so any pino instance fits. */
export interface Logger {
  level: string;
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level. Default: env `TSMICRO_LOG_LEVEL`, else `'info'`. */
  level?: string;
  /** Bound as `name` on every line. Default: none. */
  name?: string;
  /**
   * Where lines go: a file path (appended to, created if missing), a file descriptor (1 stdout,
   * 2 stderr), or any stream with `write(line)` (a pino destination, a transport, a test sink).
   * Paths and descriptors are written synchronously, as pino writes stdout by default, so no line
   * is lost when the process exits. Default: stdout.
   */
  dest?: string | number | LogDestination;
}

/** A stream lines can be written to: pino's `DestinationStream` (any `{ write(line) }`). */
export interface LogDestination {
  write(line: string): void;
}

/**
 * The default logger: pino, JSON lines on stdout, or to `dest`.
 * @example const log = createLogger({ level: 'debug', name: 'greeter', dest: '/var/log/greeter.log' })
 */
export function createLogger(o: LoggerOptions = {}): Logger {
  const level = o.level ?? process.env.TSMICRO_LOG_LEVEL ?? 'info';
  const options = o.name === undefined ? { level } : { level, name: o.name };
  if (o.dest === undefined) return pino(options);
  if (typeof o.dest === 'object') return pino(options, o.dest);
  if (typeof o.dest === 'string' && o.dest.length === 0) {
    throw badRequest('createLogger: dest is an empty path; give a file path, a descriptor (1 stdout, 2 stderr) or a stream');
  }
  if (typeof o.dest === 'number' && !(Number.isInteger(o.dest) && o.dest >= 0)) {
    throw badRequest(`createLogger: dest ${o.dest} is not a file descriptor (a whole number, 1 stdout, 2 stderr)`);
  }
  return pino(options, pino.destination({ dest: o.dest, sync: true, mkdir: true }));
}

/** A logger that writes nothing, for tests and libraries that must stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
