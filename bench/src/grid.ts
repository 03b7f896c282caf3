/**
 * A table of text cells: Markdown (for RESULTS.md) or aligned columns for a terminal, the first
 * column left-aligned and the rest right-aligned (they hold figures).
 * @example formatGrid(['row', 'calls/s'], [['a', '10']], { markdown: true })
 */
export function formatGrid(head: readonly string[], body: readonly (readonly string[])[], o: { markdown?: boolean } = {}): string {
  if (o.markdown) {
    const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}
