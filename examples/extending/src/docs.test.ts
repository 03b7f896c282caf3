import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('docs/extending.md', () => {
  it('shows examples/extending/src/text-codec.ts exactly as it is compiled and tested', () => {
    const doc = read('../../../docs/extending.md');
    const marker = '<!-- file: examples/extending/src/text-codec.ts -->\n```ts\n';
    const at = doc.indexOf(marker);
    expect(at).toBeGreaterThan(-1);
    const shown = doc.slice(at + marker.length, doc.indexOf('```', at + marker.length));
    expect(shown).toBe(read('./text-codec.ts'));
  });
});
