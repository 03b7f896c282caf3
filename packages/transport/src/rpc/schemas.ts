/**
 * The schema-carrier protocol: how a handler function declares its request and response schemas
 * so the server can publish them in the registry without depending on whoever attached them
 * (`validated()` in @tsmicro/wrappers/validation, or an app's own helper).
 */

/** Where a handler function carries its {@link HandlerSchemas}. A registered symbol, so every copy of every package agrees. */
export const schemaSymbol: unique symbol = Symbol.for('tsmicro.schemas');

/**
 * A schema that can describe itself as JSON Schema: the Standard JSON Schema interface
 * (`~standard.jsonSchema`, @standard-schema/spec ≥ 1.1; zod ≥ 4.2 implements it). Structural, so no
 * schema library is a dependency.
 */
export interface JsonSchemaSource {
  readonly '~standard': {
    readonly jsonSchema?: {
      readonly input: (o: { readonly target: string }) => Record<string, unknown>;
      readonly output: (o: { readonly target: string }) => Record<string, unknown>;
    };
  };
}

/** The schemas a handler declares. Values are usually Standard Schemas; any value is allowed and ignored when it cannot describe itself. */
export interface HandlerSchemas {
  readonly request?: unknown;
  readonly response?: unknown;
}

/** Endpoint metadata keys the server writes and `describeService` reads. */
export const EndpointKeys = {
  /** The call shape: a {@link HandlerKind}. */
  kind: 'kind',
  /** JSON Schema (draft 2020-12, as a JSON string) of what callers send. */
  requestSchema: 'request_schema',
  /** JSON Schema (draft 2020-12, as a JSON string) of what callers receive. */
  responseSchema: 'response_schema',
} as const;

/** The schemas attached to `fn` under {@link schemaSymbol}, or `undefined`. */
export function schemasOf(fn: Function): HandlerSchemas | undefined {
  const s = (fn as { [schemaSymbol]?: unknown })[schemaSymbol];
  return typeof s === 'object' && s !== null ? (s as HandlerSchemas) : undefined;
}

/** Attaches `schemas` to `fn` (non-enumerable) and returns `fn`. */
export function withSchemas<F extends Function>(fn: F, schemas: HandlerSchemas): F {
  Object.defineProperty(fn, schemaSymbol, { value: schemas, configurable: true });
  return fn;
}

function canDescribe(s: unknown): s is JsonSchemaSource {
  if ((typeof s !== 'object' && typeof s !== 'function') || s === null) return false;
  const std = (s as { '~standard'?: { jsonSchema?: unknown } })['~standard'];
  return typeof std?.jsonSchema === 'object' && std.jsonSchema !== null;
}

/**
 * The JSON Schema (draft 2020-12) of a schema's input (`'input'`, what a caller sends) or output
 * side; `undefined` when the schema cannot describe itself. Throws what the converter throws
 * (for example a type JSON Schema cannot express).
 */
export function jsonSchemaOf(schema: unknown, side: 'input' | 'output'): Record<string, unknown> | undefined {
  if (!canDescribe(schema)) return undefined;
  const convert = schema['~standard'].jsonSchema;
  return convert?.[side]({ target: 'draft-2020-12' });
}
