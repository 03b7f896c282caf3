import { badRequest } from '@tsmicro/core';
import Range from 'semver/classes/range.js';
import valid from 'semver/functions/valid.js';

/**
 * Compiles a semver range with npm's own rules (the `semver` package): exact (`1.2.3`), `^`, `~`,
 * comparators, wildcards (`1.x`, `*`), hyphen ranges, space-separated AND and `||` OR; a prerelease
 * matches only a comparator on the same `major.minor.patch` that names a prerelease.
 * Throws `badRequest` naming an unreadable range.
 * @example compileRange('^1.2 || >=3.0.0 <3.5')('1.4.0') // true
 */
export function compileRange(range: string): (version: string) => boolean {
  let compiled: Range;
  try {
    compiled = new Range(range);
  } catch (e) {
    throw badRequest(`invalid version range "${range}": ${e instanceof Error ? e.message : String(e)}`);
  }
  return (version: string) => valid(version) !== null && compiled.test(version);
}
