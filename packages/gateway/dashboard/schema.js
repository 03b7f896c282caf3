// A request skeleton from a JSON Schema, so the editor starts with the fields an endpoint expects.

const DEPTH = 6;

/** An example value for `schema`: its examples/default/const/enum when given, else a typed blank. */
export function exampleOf(schema, depth = 0) {
  if (!schema || typeof schema !== 'object' || depth > DEPTH) return {};
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('default' in schema) return schema.default;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const alt = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alt) && alt.length > 0) return exampleOf(alt[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) out[k] = exampleOf(v, depth + 1);
      return out;
    }
    case 'array':
      return schema.minItems > 0 ? [exampleOf(schema.items, depth + 1)] : [];
    case 'string':
      return schema.minLength > 0 ? 'x'.repeat(schema.minLength) : '';
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return schema.properties ? exampleOf({ ...schema, type: 'object' }, depth) : {};
  }
}
