export { type CliContext, createContext, type GlobalOptions } from './context.js';
export { asFailure, CliFailure, ExitCode, reportFailure, usageError } from './failure.js';
export { formatAge, formatDescription, schemaSummary } from './format-description.js';
export { main } from './main.js';
export { createOutput, type Output, type Paint } from './output.js';
export { createProgram } from './program.js';
export { type CommandBody, examples, run } from './run.js';
export { suggest } from './suggest.js';
export { formatTable } from './table.js';
