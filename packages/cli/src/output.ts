import pc from 'picocolors';
import { formatTable } from './table.js';

/** The colour functions the CLI uses; plain identity functions when colour is off. */
export type Paint = Pick<ReturnType<typeof pc.createColors>, 'bold' | 'dim' | 'green' | 'red' | 'yellow' | 'cyan'>;

/** Where a command writes: results on stdout, diagnostics on stderr, `--verbose` lines only when asked. */
export interface Output {
  /** `--json`: machine-readable results, one JSON document (or one per line for streams). */
  readonly json: boolean;
  /** `--verbose`: discovery and broker details on stderr. */
  readonly verbose: boolean;
  /** Colours for stdout, on only when stdout is a TTY (and `NO_COLOR` is unset). */
  readonly paint: Paint;
  /** Colours for stderr, on only when stderr is a TTY. */
  readonly paintErr: Paint;
  /** One line of result on stdout. */
  line(text: string): void;
  /** A value as JSON on stdout: indented for people, one line with `--json` (so streams stay line-delimited). */
  value(v: unknown): void;
  /** A table on stdout. */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): void;
  /** One line of information on stderr (never mixed into the results). */
  note(text: string): void;
  /** One line on stderr with `--verbose`, else nothing. */
  debug(text: string): void;
}

/** Colour only on a TTY; `NO_COLOR` turns it off and `FORCE_COLOR` on, as most CLIs agree. */
export function colourOn(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** JSON for output: `undefined` becomes `null`, bytes become their text, bigints their digits. */
export function toJson(v: unknown, indent?: number): string {
  return JSON.stringify(
    v ?? null,
    (_k, x: unknown) => (x instanceof Uint8Array ? Buffer.from(x).toString('utf8') : typeof x === 'bigint' ? x.toString() : x),
    indent,
  );
}

/**
 * The process's output for one command run.
 * @example const out = createOutput({ json: false, verbose: true }); out.table(['NAME'], [['greeter']])
 */
export function createOutput(o: { json: boolean; verbose: boolean }): Output {
  const paint = pc.createColors(colourOn(process.stdout));
  const paintErr = pc.createColors(colourOn(process.stderr));
  const write = (s: string) => process.stdout.write(`${s}\n`);
  return {
    json: o.json,
    verbose: o.verbose,
    paint,
    paintErr,
    line: write,
    value: (v) => write(toJson(v, o.json ? undefined : 2)),
    table: (headers, rows) => write(formatTable(headers, rows, (h) => paint.bold(h))),
    note: (s) => process.stderr.write(`${s}\n`),
    debug: (s) => {
      if (o.verbose) process.stderr.write(`${paintErr.dim(`[verbose] ${s}`)}\n`);
    },
  };
}
