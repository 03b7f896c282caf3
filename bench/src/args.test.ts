import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';

describe('parseArgs', () => {
  it('runs W1–W4 for 5 s windows by default', () => {
    const a = parseArgs([]);
    expect([...a.selected]).toEqual(['W1', 'W2', 'W3', 'W4']);
    expect(a.settings.measureMs).toBe(5000);
    expect(a.settings.warmupMs).toBe(1000);
    expect(a.write).toBe(true);
  });

  it('selects workloads, shortens windows and adds the soak', () => {
    const a = parseArgs(['w1', 'W3', '--quick', '--soak', '--no-write']);
    expect([...a.selected]).toEqual(['W1', 'W3', 'SOAK']);
    expect(a.settings.measureMs).toBe(1000);
    expect(a.write).toBe(false);
    expect(parseArgs(['W2'], '2').settings.measureMs).toBe(2000);
  });

  it('names the bad argument', () => {
    expect(() => parseArgs(['W9'])).toThrow(/unknown workload W9/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown flag --fast/);
  });
});
