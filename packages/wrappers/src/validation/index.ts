export { describeIssues, type Schema, validate } from './standard-schema.js';
export { type HandlerSchemas, schemaOf, schemaSymbol, type ValidatedOptions, validated } from './validated.js';
