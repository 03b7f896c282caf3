import { describe, expect, it } from 'vitest';
import { compileRange } from './semver.js';

const cases: Array<[string, string[], string[]]> = [
  ['1.2.3', ['1.2.3', 'v1.2.3'], ['1.2.4', '1.2.3-rc.1']],
  ['=1.2.3', ['1.2.3'], ['1.2.2']],
  ['^1.2.3', ['1.2.3', '1.9.0'], ['1.2.2', '2.0.0', '0.9.9']],
  ['^0.2.3', ['0.2.3', '0.2.9'], ['0.3.0', '0.2.2']],
  ['^0.0.3', ['0.0.3'], ['0.0.4']],
  ['^1.x', ['1.0.0', '1.5.5'], ['2.0.0']],
  ['~1.2.3', ['1.2.3', '1.2.9'], ['1.3.0', '1.2.2']],
  ['~1', ['1.0.0', '1.9.9'], ['2.0.0']],
  ['>=1.2.0', ['1.2.0', '9.0.0'], ['1.1.9']],
  ['>= 1.2', ['1.2.0'], ['1.1.0']],
  ['>1.2', ['1.3.0'], ['1.2.9']],
  ['>1.2.3', ['1.2.4'], ['1.2.3']],
  ['<2.0.0', ['1.9.9'], ['2.0.0']],
  ['<=1.2', ['1.2.9'], ['1.3.0']],
  ['1.x', ['1.0.0', '1.99.1'], ['2.0.0', '0.1.0']],
  ['1.2.*', ['1.2.0', '1.2.7'], ['1.3.0']],
  ['*', ['0.0.1', '5.5.5'], ['latest']],
  ['', ['1.0.0'], []],
  ['>=1.0.0 <1.5.0', ['1.0.0', '1.4.9'], ['1.5.0', '0.9.0']],
  ['^1.2 || 3.x', ['1.2.0', '3.1.0'], ['2.0.0', '4.0.0']],
  ['1.0.0-rc.1', ['1.0.0-rc.1'], ['1.0.0']],
];

describe('compileRange', () => {
  for (const [range, yes, no] of cases) {
    it(`"${range}"`, () => {
      const m = compileRange(range);
      for (const v of yes) expect(m(v), `${v} in ${range}`).toBe(true);
      for (const v of no) expect(m(v), `${v} not in ${range}`).toBe(false);
    });
  }

  it('orders prereleases below their release', () => {
    const m = compileRange('>=1.0.0-alpha.2 <1.0.0');
    expect(m('1.0.0-alpha.10')).toBe(true);
    expect(m('1.0.0-beta')).toBe(true);
    expect(m('1.0.0-alpha.1')).toBe(false);
  });

  it('throws badRequest naming an unreadable range', () => {
    expect(() => compileRange('^one.two')).toThrow(expect.objectContaining({ code: 400, detail: expect.stringContaining('^one.two') }));
  });

  it('matches only full versions', () => {
    expect(compileRange('*')('1.2')).toBe(false);
    expect(compileRange('1.2.3')('1.2.3+build.5')).toBe(true);
  });
});
