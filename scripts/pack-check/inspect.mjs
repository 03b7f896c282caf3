// Checks the packed tarballs as a user would receive them: required files present, nothing
// test-only inside, a complete manifest whose exports point at shipped files (no `source` condition
// into an unshipped src/), and every package the shipped code or types import declared.
// Usage: node inspect.mjs <tarball dir> <repo root>. Exits 1 listing every problem found.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [tarballs, root] = process.argv.slice(2);
if (!tarballs || !root) throw new Error('usage: node inspect.mjs <tarball dir> <repo root>');

/** Paths no tarball may hold: tests, fixtures, test servers, fuzz harnesses, sources. */
const FORBIDDEN = [
  /\.test(-d)?\.(js|ts|d\.ts)$/,
  /(^|\/)tests?\//,
  /fixture/i,
  /testkit/i,
  /standin/i,
  /etcd-process/,
  /server-process/,
  /(^|\/)fuzz\//,
  /testdata/,
  /^package\/src\//,
];
const REQUIRED_MANIFEST = ['description', 'keywords', 'license', 'repository', 'engines', 'files'];
const builtins = new Set(builtinModules);

const workspace = new Map();
for (const dir of readdirSync(join(root, 'packages'))) {
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    workspace.set(manifest.name, { dir, manifest });
  } catch {
    // not a package folder
  }
}

const problems = [];
const scratch = mkdtempSync(join(tmpdir(), 'tsmicro-inspect-'));
try {
  for (const file of readdirSync(tarballs).filter((f) => f.endsWith('.tgz'))) {
    const tgz = join(tarballs, file);
    const entries = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const out = join(scratch, file);
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['-xzf', tgz, '-C', out]);
    const manifest = JSON.parse(readFileSync(join(out, 'package', 'package.json'), 'utf8'));
    const say = (what) => problems.push(`${manifest.name} (${file}): ${what}`);
    const ws = workspace.get(manifest.name);

    for (const need of ['package/package.json', 'package/README.md', 'package/LICENSE']) {
      if (!entries.includes(need)) say(`missing ${need.slice('package/'.length)}`);
    }
    for (const e of entries) if (FORBIDDEN.some((re) => re.test(e))) say(`ships test-only or source file ${e}`);
    for (const field of REQUIRED_MANIFEST) if (!manifest[field] || manifest[field].length === 0) say(`package.json has no ${field}`);
    if (ws && manifest.repository?.directory !== `packages/${ws.dir}`) say(`repository.directory is not packages/${ws.dir}`);
    for (const kind of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dep, range] of Object.entries(manifest[kind] ?? {}))
        if (String(range).startsWith('workspace:')) say(`${kind}.${dep} is ${range}`);
    }

    // exports: every target shipped, no condition pointing into src/, the same subpaths as in the repo
    const targets = [];
    const walk = (node, path) => {
      if (typeof node === 'string') return targets.push([path, node]);
      for (const [k, v] of Object.entries(node ?? {})) {
        if (k === 'source')
          say(`exports ${path} keeps the "source" condition (src/ is not shipped): add it to publishConfig.exports without it`);
        walk(v, `${path}.${k}`);
      }
    };
    walk(manifest.exports, 'exports');
    for (const [path, target] of targets)
      if (!entries.includes(`package/${target.replace(/^\.\//, '')}`)) say(`${path} -> ${target} is not in the tarball`);
    const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
    for (const [cmd, target] of Object.entries(bins))
      if (!entries.includes(`package/${target.replace(/^\.\//, '')}`)) say(`bin ${cmd} -> ${target} is not in the tarball`);
    const keys = (m) =>
      Object.keys(m?.exports ?? {})
        .sort()
        .join(', ');
    if (ws && keys(manifest) !== keys(ws.manifest))
      say(`published subpaths [${keys(manifest)}] differ from the repo's [${keys(ws.manifest)}]: update publishConfig.exports`);

    // every bare import in shipped code and types is a dependency or a peer
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), manifest.name]);
    const importRe = /(?:from\s+|import\s*\(\s*|^\s*import\s+)['"]([^'"./][^'"]*)['"]/gm;
    for (const e of entries.filter((x) => /\.(js|d\.ts)$/.test(x))) {
      // Comments (JSDoc examples) are not imports.
      const text = readFileSync(join(out, e), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      for (const [, spec] of text.matchAll(importRe)) {
        if (spec.startsWith('node:') || builtins.has(spec)) continue;
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!declared.has(pkg)) say(`${e.slice('package/'.length)} imports ${spec}, which is neither a dependency nor a peer`);
      }
    }
    console.log(`  ${manifest.name}: ${entries.length} files`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`\n[pack-check] ${problems.length} problem(s) in the tarballs:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
