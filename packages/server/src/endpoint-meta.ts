import type { Logger } from '@tsmicro/core';
import { EndpointKeys, type HandlerKind, jsonSchemaOf, schemasOf } from '@tsmicro/transport/rpc';

/** One side's JSON Schema as a string, or `undefined` when absent or not expressible (logged: the endpoint still serves). */
function schemaJson(schema: unknown, side: 'input' | 'output', what: string, logger: Logger): string | undefined {
  if (schema === undefined) return undefined;
  try {
    const js = jsonSchemaOf(schema, side);
    return js === undefined ? undefined : JSON.stringify(js);
  } catch (e) {
    logger.warn({ err: e instanceof Error ? e.message : String(e) }, `${what} schema has no JSON Schema form; not published`);
    return undefined;
  }
}

/**
 * The registry metadata of one endpoint: its `kind` and, when the handler carries schemas
 * (see `schemaSymbol` in @tsmicro/transport/rpc), `request_schema` (the input a caller sends) and
 * `response_schema` (the output a caller receives) as JSON Schema strings.
 */
export function endpointMetadata(fn: Function, kind: HandlerKind, logger: Logger): Record<string, string> {
  const meta: Record<string, string> = { [EndpointKeys.kind]: kind };
  const schemas = schemasOf(fn);
  if (!schemas) return meta;
  const req = schemaJson(schemas.request, 'input', 'request', logger);
  const res = schemaJson(schemas.response, 'output', 'response', logger);
  if (req !== undefined) meta[EndpointKeys.requestSchema] = req;
  if (res !== undefined) meta[EndpointKeys.responseSchema] = res;
  return meta;
}
