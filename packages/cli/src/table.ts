import { stripVTControlCharacters } from 'node:util';

const width = (s: string) => stripVTControlCharacters(s).length;

/**
 * Aligned columns separated by two spaces, for people: no borders, so a row copies cleanly into a
 * shell. Widths count visible characters, so coloured cells line up; `head` styles the header cells.
 * @example formatTable(['NAME', 'NODES'], [['greeter', '2']]) // 'NAME     NODES\ngreeter  2'
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  head: (cell: string) => string = (c) => c,
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[], style: (c: string) => string) =>
    cells
      .map((c, i) => style(i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c)))))
      .join('  ')
      .trimEnd();
  return [line(headers, head), ...rows.map((r) => line(r, (c) => c))].join('\n');
}
