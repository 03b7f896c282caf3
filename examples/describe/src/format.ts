import type { EndpointDescription, ServiceDescription } from '@tsmicro/client';

function schemaLine(label: string, schema: Record<string, unknown> | undefined): string[] {
  return schema === undefined ? [] : [`      ${label} ${JSON.stringify(schema)}`];
}

function endpointLines(e: EndpointDescription): string[] {
  return [`    ${e.name.padEnd(28)} ${e.kind}`, ...schemaLine('request: ', e.requestSchema), ...schemaLine('response:', e.responseSchema)];
}

/** A `micro describe`-style text rendering: each version, its nodes, and its endpoints with kinds and schemas. */
export function formatDescription(versions: readonly ServiceDescription[]): string {
  const lines: string[] = [];
  for (const v of versions) {
    lines.push(`${v.name} ${v.version}`);
    for (const n of v.nodes) lines.push(`  node ${n.id} ${n.address}`);
    lines.push('  endpoints');
    for (const e of v.endpoints) lines.push(...endpointLines(e));
  }
  return `${lines.join('\n')}\n`;
}
