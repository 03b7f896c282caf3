import type { StandardSchemaV1 } from '@standard-schema/spec';
import { badRequest } from '@tsmicro/core';

/** Any Standard Schema (zod ≥3.24, valibot ≥1, arktype ≥2, …). */
export type Schema<T = unknown> = StandardSchemaV1<unknown, T>;

function pathOf(issue: StandardSchemaV1.Issue): string {
  if (!issue.path?.length) return '';
  return issue.path.map((p) => String(typeof p === 'object' && p !== null && 'key' in p ? p.key : p)).join('.');
}

/** One line per issue, `path: message`. */
export function describeIssues(issues: ReadonlyArray<StandardSchemaV1.Issue>): string {
  return issues.map((i) => (pathOf(i) ? `${pathOf(i)}: ${i.message}` : i.message)).join('; ');
}

/** Validates `value`; resolves to the schema's output or throws `badRequest` listing every issue. */
export async function validate<T>(schema: Schema<T>, value: unknown, what = 'request'): Promise<T> {
  let result = schema['~standard'].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues) throw badRequest(`invalid ${what}: ${describeIssues(result.issues)}`);
  return result.value;
}
