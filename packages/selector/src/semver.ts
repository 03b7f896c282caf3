import { badRequest } from '@tsmicro/core';

/** A parsed version; prerelease identifiers sort below the release (`1.0.0-rc.1 < 1.0.0`). */
interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
}

/** A partial version in a range: a missing or `x`/`*` part is `undefined`. */
interface Partial {
  major: number | undefined;
  minor: number | undefined;
  patch: number | undefined;
  pre: string[];
}

type Test = (v: Version) => boolean;

const versionRe = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
const partialRe = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses `1.2.3`, `v1.2.3-rc.1+build`; `undefined` for anything else. */
export function parseVersion(s: string): Version | undefined {
  const m = versionRe.exec(s.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ? m[4].split('.') : [] };
}

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Semver precedence: negative, zero or positive. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePre(a.pre, b.pre);
}

const num = (s: string | undefined): number | undefined => (s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s));

function floor(p: Partial): Version {
  return { major: p.major ?? 0, minor: p.minor ?? 0, patch: p.patch ?? 0, pre: p.pre };
}

const v = (major: number, minor: number, patch: number): Version => ({ major, minor, patch, pre: [] });
const ge =
  (b: Version): Test =>
  (x) =>
    compareVersions(x, b) >= 0;
const gt =
  (b: Version): Test =>
  (x) =>
    compareVersions(x, b) > 0;
const lt =
  (b: Version): Test =>
  (x) =>
    compareVersions(x, b) < 0;
const le =
  (b: Version): Test =>
  (x) =>
    compareVersions(x, b) <= 0;
const both =
  (a: Test, b: Test): Test =>
  (x) =>
    a(x) && b(x);

/** The first version above every version the partial covers (`1.2` → `1.3.0`, `1` → `2.0.0`). */
function above(p: Partial): Version {
  if (p.minor === undefined) return v((p.major ?? 0) + 1, 0, 0);
  if (p.patch === undefined) return v(p.major ?? 0, p.minor + 1, 0);
  return v(p.major ?? 0, p.minor, p.patch + 1);
}

function caret(p: Partial): Test {
  const lo = floor(p);
  if (p.major === undefined) return () => true;
  if (p.major > 0 || p.minor === undefined) return both(ge(lo), lt(v(p.major + 1, 0, 0)));
  if (p.minor > 0 || p.patch === undefined) return both(ge(lo), lt(v(0, p.minor + 1, 0)));
  return both(ge(lo), lt(v(0, 0, p.patch + 1)));
}

function tilde(p: Partial): Test {
  if (p.major === undefined) return () => true;
  const hi = p.minor === undefined ? v(p.major + 1, 0, 0) : v(p.major, p.minor + 1, 0);
  return both(ge(floor(p)), lt(hi));
}

function comparator(raw: string, range: string): Test {
  const m = /^(\^|~|>=|<=|>|<|=)?\s*(.*)$/.exec(raw);
  const op = m?.[1] ?? '';
  const pm = partialRe.exec(m?.[2] ?? '');
  if (!pm) throw badRequest(`invalid version range "${range}": cannot read "${raw}"`);
  const p: Partial = { major: num(pm[1]), minor: num(pm[2]), patch: num(pm[3]), pre: pm[4] ? pm[4].split('.') : [] };
  const whole = p.major !== undefined && p.minor !== undefined && p.patch !== undefined;
  if (p.major === undefined) return op === '<' || op === '>' ? () => false : () => true;
  switch (op) {
    case '^':
      return caret(p);
    case '~':
      return tilde(p);
    case '>=':
      return ge(floor(p));
    case '>':
      return whole ? gt(floor(p)) : ge(above(p));
    case '<':
      return lt(floor(p));
    case '<=':
      return whole ? le(floor(p)) : lt(above(p));
    default:
      return whole ? (x) => compareVersions(x, floor(p)) === 0 : both(ge(floor(p)), lt(above(p)));
  }
}

/**
 * Compiles a semver range, the everyday subset: exact (`1.2.3`, `=1.2.3`), `^`, `~`, `>=`, `>`,
 * `<=`, `<`, wildcards (`1.x`, `1.2.*`, `*`, `1`), space-separated AND and `||` OR. Hyphen ranges and
 * npm's prerelease opt-in rule are not supported. Throws `badRequest` naming an unreadable range.
 * @example compileRange('^1.2 || >=3.0.0 <3.5')('1.4.0') // true
 */
export function compileRange(range: string): (version: string) => boolean {
  const alternatives = range.split('||').map((alt) => {
    // Allow `>= 1.2` by gluing an operator to its operand before splitting on spaces.
    const parts = alt
      .trim()
      .replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    const tests = parts.length === 0 ? [() => true] : parts.map((c) => comparator(c, range));
    return (x: Version) => tests.every((t) => t(x));
  });
  return (version: string) => {
    const parsed = parseVersion(version);
    return parsed !== undefined && alternatives.some((a) => a(parsed));
  };
}
