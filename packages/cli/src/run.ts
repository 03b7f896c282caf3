import type { Command } from 'commander';
import { type CliContext, createContext, type GlobalOptions, outputFor } from './context.js';
import { ExitCode, reportFailure } from './failure.js';

/** A command's body: positional arguments in order (`undefined` when an optional one is absent); returns its exit code. */
export type CommandBody<O> = (ctx: CliContext, args: readonly (string | undefined)[], options: O) => Promise<number | undefined>;

/**
 * Adapts a command body to commander's action signature: builds the context from the global options,
 * runs the body, prints a failure as a `MicroError`, closes what the context opened, and sets the exit code.
 */
export function run<O>(body: CommandBody<O>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const cmd = args[args.length - 1] as Command;
    const globals = cmd.optsWithGlobals<GlobalOptions>();
    const out = outputFor(globals);
    let code: number = ExitCode.ok;
    let ctx: CliContext | undefined;
    try {
      ctx = createContext(globals, out);
      code = (await body(ctx, args.slice(0, -2) as (string | undefined)[], cmd.opts() as O)) ?? ExitCode.ok;
    } catch (e) {
      code = reportFailure(out, e);
    } finally {
      try {
        await ctx?.close();
      } catch (e) {
        code = Math.max(code, reportFailure(out, e));
      }
    }
    process.exitCode = code;
  };
}

/** The `Example:` block every command's `--help` ends with. */
export function examples(...lines: string[]): string {
  return `\nExample:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
