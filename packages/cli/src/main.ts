import { type Command, CommanderError } from 'commander';
import { outputFor } from './context.js';
import { ExitCode, reportFailure, usageError } from './failure.js';
import { createProgram } from './program.js';

/** Commander reports usage errors itself; with `--json` they become the same JSON document as every other failure. */
function configure(cmd: Command, json: boolean): void {
  cmd.exitOverride();
  if (json) {
    cmd.configureOutput({
      outputError: (text) => {
        reportFailure(outputFor({ json }), usageError(text.replace(/^error: /, '').trim()));
      },
    });
  }
  for (const sub of cmd.commands) configure(sub, json);
}

/**
 * Runs `tsmicro` with `argv` (as `process.argv`) and sets `process.exitCode`: 0 success, 1 failure,
 * 2 bad usage (commander's own messages included). Never calls `process.exit`, so output is flushed.
 * @example await main(process.argv)
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program = createProgram();
  const json = argv.includes('--json');
  configure(program, json);
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander printed its message already; help and version exit 0
      process.exitCode = e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      return;
    }
    process.exitCode = reportFailure(outputFor({ json }), e);
  }
}
