// Writes a fresh app that depends on the packed tarballs, as a user's would: a strict tsconfig
// (skipLibCheck false), the README quick start as two files, a file importing every subpath that
// needs no optional peer, and (checked once the peers are installed) one importing every subpath
// plus every example marked `<!-- pack-check: typecheck -->` in the package READMEs and docs/.
// Usage: node app.mjs <app dir> <tarball dir> <repo root> <service name>
// Prints the optional peers to install for the second check, one per line.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [app, tarballs, root, serviceName] = process.argv.slice(2);
if (!app || !tarballs || !root || !serviceName) throw new Error('usage: node app.mjs <app dir> <tarball dir> <repo root> <service name>');

/**
 * Subpaths whose types need an optional peer. Any subpath not listed here is checked without
 * optional peers installed, so a new subpath that needs one fails the check until it is listed.
 */
const PEERS_OF = {
  '@tsmicro/broker/nats': ['nats'],
  '@tsmicro/broker/redis': ['ioredis'],
  '@tsmicro/registry/etcd': ['etcd3'],
  '@tsmicro/codec/proto': ['@bufbuild/protobuf'],
  '@tsmicro/wrappers/metrics': ['prom-client'],
  '@tsmicro/wrappers/tracing': ['@opentelemetry/api'],
  '@tsmicro/wrappers/observability': ['prom-client', '@opentelemetry/api'],
};
const needsPeer = (spec) => spec in PEERS_OF || spec.endsWith('/testing');

const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dependencies = {};
const subpaths = [];
const peers = new Map();
for (const file of readdirSync(tarballs).filter((f) => f.endsWith('.tgz'))) {
  const name = `@tsmicro/${file.replace(/^tsmicro-/, '').replace(/-\d+\.\d+\.\d+.*\.tgz$/, '')}`;
  const dir = readdirSync(join(root, 'packages')).find((d) => {
    try {
      return JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')).name === name;
    } catch {
      return false;
    }
  });
  if (!dir) throw new Error(`no workspace package for ${file}`);
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  dependencies[name] = `file:${relative(app, join(tarballs, file))}`;
  for (const key of Object.keys(manifest.exports ?? {})) subpaths.push(key === '.' ? name : `${name}/${key.slice(2)}`);
  for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {}))
    if (manifest.peerDependenciesMeta?.[peer]?.optional) peers.set(peer, range);
}

/** The fenced code block that follows `<!-- pack-check: <file> -->` in the README. */
function readmeBlock(readme, file) {
  const marker = `<!-- pack-check: ${file} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}" block (the quick start the pack check runs)`);
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error(`no \`\`\`ts block after "${marker}" in README.md`);
  // A unique service name, so processes of other checks on the same mDNS segment are never found.
  return m[1].replaceAll("'greeter'", `'${serviceName}'`);
}

const write = (path, text) => {
  mkdirSync(join(app, path, '..'), { recursive: true });
  writeFileSync(join(app, path), text);
};
const readme = readFileSync(join(root, 'README.md'), 'utf8');
write(
  'package.json',
  `${JSON.stringify(
    {
      name: 'tsmicro-pack-check-app',
      private: true,
      type: 'module',
      dependencies,
      devDependencies: { typescript: rootManifest.devDependencies.typescript, '@types/node': rootManifest.devDependencies['@types/node'] },
    },
    null,
    2,
  )}\n`,
);
const compilerOptions = {
  target: 'es2022',
  lib: ['es2023'],
  module: 'nodenext',
  moduleResolution: 'nodenext',
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  skipLibCheck: false,
  types: ['node'],
  rootDir: 'src',
  outDir: 'dist',
};
write('tsconfig.json', `${JSON.stringify({ compilerOptions, include: ['src'] }, null, 2)}\n`);
write(
  'tsconfig.peers.json',
  `${JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, rootDir: '.' }, include: ['src', 'peers'] }, null, 2)}\n`,
);
for (const file of ['src/greeter.ts', 'src/caller.ts']) write(file, readmeBlock(readme, file));
const importAll = (list) =>
  `${list.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}\n\nexport const modules = [${list.map((_, i) => `m${i}`).join(', ')}];\n`;
write('src/subpaths.ts', importAll(subpaths.filter((s) => !needsPeer(s))));
write('peers/all-subpaths.ts', importAll(subpaths));
// Every example marked `<!-- pack-check: typecheck -->` in a package README or a doc compiles as a user's file.
const marked = [
  ...readdirSync(join(root, 'packages')).map((d) => join('packages', d, 'README.md')),
  ...readdirSync(join(root, 'docs')).map((f) => join('docs', f)),
];
for (const doc of marked) {
  let text;
  try {
    text = readFileSync(join(root, doc), 'utf8');
  } catch {
    continue;
  }
  const blocks = text.split('<!-- pack-check: typecheck -->').slice(1);
  blocks.forEach((rest, i) => {
    const m = /^\s*```ts\n([\s\S]*?)```/.exec(rest);
    if (!m) throw new Error(`${doc}: no \`\`\`ts block right after a pack-check: typecheck marker`);
    write(`peers/${doc.replaceAll('/', '-').replace(/\.md$/, '')}-${i + 1}.ts`, `// from ${doc}\n${m[1]}`);
  });
}
for (const [peer, range] of peers) console.log(`${peer}@${range}`);
