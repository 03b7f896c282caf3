import type { Logger } from '../logger.js';

/** A log line kept by {@link recordingLogger}. */
export interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/**
 * A Logger that keeps what it is given (every level, children log into the same list), so tests can
 * read what a component logged.
 * @example const log = recordingLogger(); startThing({ logger: log }); expect(log.lines[0]?.msg).toBe('started')
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
