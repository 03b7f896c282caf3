import { notFound } from '@tsmicro/core';
import type { Registry, ServiceNode } from '@tsmicro/registry';
import { EndpointKeys, type HandlerKind, registeredKind } from '@tsmicro/transport/rpc';

/** One endpoint as the registry describes it. */
export interface EndpointDescription {
  /** `Handler.method`. */
  readonly name: string;
  /** The call shape; `'unary'` when the record does not say (an older or foreign server). */
  readonly kind: HandlerKind;
  /** JSON Schema of what a caller sends, when the handler declared one. */
  readonly requestSchema?: Record<string, unknown>;
  /** JSON Schema of what a caller receives, when the handler declared one. */
  readonly responseSchema?: Record<string, unknown>;
  /** All endpoint metadata as registered, the schema strings included. */
  readonly metadata: Record<string, string>;
}

/** One version of a service as the registry describes it. */
export interface ServiceDescription {
  readonly name: string;
  readonly version: string;
  readonly metadata: Record<string, string>;
  readonly nodes: readonly ServiceNode[];
  /** Sorted by name. */
  readonly endpoints: readonly EndpointDescription[];
}

function parseSchema(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    // A foreign or corrupt record: describe the rest rather than fail.
    return undefined;
  }
}

function describeEndpoint(name: string, metadata: Record<string, string>): EndpointDescription {
  const requestSchema = parseSchema(metadata[EndpointKeys.requestSchema]);
  const responseSchema = parseSchema(metadata[EndpointKeys.responseSchema]);
  return {
    name,
    kind: registeredKind(metadata),
    ...(requestSchema && { requestSchema }),
    ...(responseSchema && { responseSchema }),
    metadata,
  };
}

/**
 * What a service offers, read back from the registry: one description per registered version,
 * with each endpoint's kind and its request/response JSON Schemas (published by the server when
 * a handler declares schemas, e.g. with `validated()`). Rejects with 404 when the service is unknown.
 * @example for (const v of await describeService(registry, 'greeter')) console.table(v.endpoints)
 */
export async function describeService(registry: Registry, name: string): Promise<ServiceDescription[]> {
  const records = await registry.getService(name);
  if (records.length === 0) throw notFound(`service '${name}' is not registered in the ${registry.name} registry`);
  return records.map((r) => ({
    name: r.name,
    version: r.version,
    metadata: r.metadata,
    nodes: r.nodes,
    endpoints: r.endpoints.map((e) => describeEndpoint(e.name, e.metadata)).sort((a, b) => a.name.localeCompare(b.name)),
  }));
}
