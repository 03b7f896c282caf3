/**
 * A tsmicro pattern as a Redis glob for PSUBSCRIBE. Both `*` and `>` become `*`, which in a
 * Redis glob also matches dots, so the glob is a superset: the subscriber re-checks every
 * message with the exact topic matcher. Glob metacharacters in literal tokens are escaped.
 * Undefined for a pattern without wildcards (use SUBSCRIBE, no re-check needed).
 */
export function toRedisGlob(pattern: string): string | undefined {
  const tokens = pattern.split('.');
  if (!tokens.some((t) => t === '*' || t === '>')) return undefined;
  return tokens.map((t) => (t === '*' || t === '>' ? '*' : t.replace(/[*?[\]\\]/g, '\\$&'))).join('.');
}
