import type { ServiceDescription } from '@tsmicro/client';
import type { Paint } from './output.js';
import { formatTable } from './table.js';

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A JSON Schema in one short line for people: `{ name: string, age?: integer }`, `string[]`, `'a' | 'b'`;
 * whatever this does not cover is shown as compact JSON (`--json` always has the full schema).
 * @example schemaSummary({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] }) // '{ n: integer }'
 */
export function schemaSummary(s: unknown): string {
  if (!isSchema(s)) return JSON.stringify(s);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.type === 'array') return `${isSchema(s.items) ? schemaSummary(s.items) : 'unknown'}[]`;
  if (s.type === 'object' && isSchema(s.properties)) {
    const required = new Set(Array.isArray(s.required) ? s.required : []);
    const fields = Object.entries(s.properties).map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${schemaSummary(v)}`);
    return `{ ${fields.join(', ')} }`;
  }
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.anyOf)) return s.anyOf.map(schemaSummary).join(' | ');
  return JSON.stringify(s);
}

/** `3d4h`, `5m12s`, `40s`: the largest two units of a duration in ms. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join('');
}

const entries = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/**
 * A `micro describe`-style rendering: for each version, a table of its nodes (id, address, transport,
 * age from the node's `started` metadata, other metadata) and one of its endpoints (kind, schemas).
 * @example out.line(formatDescription(await describeService(registry, 'greeter'), Date.now()))
 */
export function formatDescription(versions: readonly ServiceDescription[], now: number, paint?: Pick<Paint, 'bold'>): string {
  const bold = paint?.bold ?? ((s: string) => s);
  const blocks = versions.map((v) => {
    const title = `${bold(v.name)} ${v.version}${Object.keys(v.metadata).length > 0 ? `  ${entries(v.metadata)}` : ''}`;
    const nodes = formatTable(
      ['NODE', 'ADDRESS', 'TRANSPORT', 'AGE', 'METADATA'],
      v.nodes.map((n) => {
        const { transport = '-', started, ...rest } = n.metadata;
        const age = started !== undefined && Number(started) > 0 ? formatAge(now - Number(started)) : '-';
        return [n.id, n.address, transport, age, entries(rest)];
      }),
      bold,
    );
    const endpoints = formatTable(
      ['ENDPOINT', 'KIND', 'REQUEST', 'RESPONSE'],
      v.endpoints.map((e) => [
        e.name,
        e.kind,
        e.requestSchema ? schemaSummary(e.requestSchema) : '-',
        e.responseSchema ? schemaSummary(e.responseSchema) : '-',
      ]),
      bold,
    );
    return `${title}\n\n${nodes}\n\n${endpoints}`;
  });
  return blocks.join('\n\n');
}
