import { badRequest, MicroError, toMicroError } from '@tsmicro/core';
import type { Output } from './output.js';

/** Exit codes: 0 success, 1 the operation failed (error from a service, not found, timeout, unhealthy node), 2 bad usage. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** A command's failure: the `MicroError` to print, names the user may have meant, and the exit code. */
export class CliFailure extends Error {
  readonly error: MicroError;
  readonly suggestions: readonly string[];
  readonly exitCode: number;

  constructor(error: MicroError, o: { suggestions?: readonly string[]; exitCode?: number } = {}) {
    super(error.detail);
    this.name = 'CliFailure';
    this.error = error;
    this.suggestions = o.suggestions ?? [];
    this.exitCode = o.exitCode ?? ExitCode.failed;
  }
}

/**
 * A usage mistake (bad JSON, bad option value): a 400 from `tsmicro`, exit code 2.
 * @example throw usageError(`--timeout must be a positive number of ms, got 'soon'`)
 */
export function usageError(detail: string, cause?: unknown): CliFailure {
  return new CliFailure(badRequest(detail, { id: 'tsmicro', cause }), { exitCode: ExitCode.usage });
}

/** Anything thrown, as a failure: a `MicroError` keeps its id/code/detail; anything else becomes a 500. */
export function asFailure(e: unknown): CliFailure {
  if (e instanceof CliFailure) return e;
  if (e instanceof MicroError) return new CliFailure(e);
  return new CliFailure(toMicroError(e, 'tsmicro'));
}

/**
 * Prints a failure on stderr (one JSON document with `--json`, else a line with id, code, status and
 * detail and a "did you mean" line) and returns the exit code.
 */
export function reportFailure(out: Output, e: unknown): number {
  const f = asFailure(e);
  const { id, code, status, detail } = f.error;
  if (out.json) {
    const doc = { error: { id, code, status, detail }, ...(f.suggestions.length > 0 && { suggestions: f.suggestions }) };
    process.stderr.write(`${JSON.stringify(doc)}\n`);
  } else {
    const p = out.paintErr;
    process.stderr.write(`${p.red('error')} ${code} ${status}${id ? ` (id ${id})` : ''}: ${detail}\n`);
    if (f.suggestions.length > 0) process.stderr.write(`did you mean: ${f.suggestions.map((s) => p.cyan(s)).join(', ')}?\n`);
  }
  return f.exitCode;
}
