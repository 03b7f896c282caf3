import { distance } from 'fastest-levenshtein';

/**
 * The candidates a mistyped `input` probably meant, best first (at most `max`): close by edit distance
 * (case-insensitive, up to a quarter of the longer name, at least 2), or containing the input
 * (`hello` → `Greeter.hello`).
 * @example suggest('greter', ['greeter', 'orders']) // ['greeter']
 */
export function suggest(input: string, candidates: Iterable<string>, max = 3): string[] {
  const a = input.toLowerCase();
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of new Set(candidates)) {
    const b = name.toLowerCase();
    const d = distance(a, b);
    const near = d <= Math.max(2, Math.floor(Math.max(a.length, b.length) / 4));
    const part = a.length >= 3 && b.includes(a);
    if (near || part) scored.push({ name, score: near ? d : d + 100 });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, max)
    .map((s) => s.name);
}
