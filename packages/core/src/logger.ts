import { pino } from 'pino';

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
}

/**
 * The default logger: pino, JSON lines on stdout.
 * @example const log = createLogger({ level: 'debug', name: 'greeter' })
 */
export function createLogger(o: LoggerOptions = {}): Logger {
  const level = o.level ?? process.env.TSMICRO_LOG_LEVEL ?? 'info';
  return o.name === undefined ? pino({ level }) : pino({ level, name: o.name });
}

/** A logger that writes nothing, for tests and libraries that must stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
