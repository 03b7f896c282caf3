import { CommanderError } from 'commander';
import { outputFor } from './context.js';
import { ExitCode, reportFailure } from './failure.js';
import { createProgram } from './program.js';

/**
 * Runs `tsmicro` with `argv` (as `process.argv`) and sets `process.exitCode`: 0 success, 1 failure,
 * 2 bad usage (commander's own messages included). Never calls `process.exit`, so output is flushed.
 * @example await main(process.argv)
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program = createProgram();
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander printed its message already; help and version exit 0
      process.exitCode = e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      return;
    }
    process.exitCode = reportFailure(outputFor({ json: argv.includes('--json') }), e);
  }
}
