import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./main.ts', import.meta.url));
const ours = /^(@tsmicro\/|contract-greeter-|\.)/;

// Third-party packages stay external: the question is which of *our* modules a client ships.
const externalThirdParty: Plugin = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => (ours.test(a.path) || a.kind === 'entry-point' ? undefined : { path: a.path, external: true }));
  },
};

it('the client bundle holds no server code and not even the contract module (types only)', async () => {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['source'],
    logLevel: 'silent',
    plugins: [externalThirdParty],
  });
  const inputs = Object.keys(r.metafile.inputs);
  // Sanity: the bundle really is the client, with the client runtime in it.
  expect(inputs.some((p) => p.includes('packages/client/src/create-client.ts'))).toBe(true);
  expect(inputs.some((p) => p.includes('contract-greeter-client/src/greet.ts'))).toBe(true);
  const forbidden = inputs.filter((p) => /packages\/(server|service)\/|contract-greeter-(server|api)\//.test(p));
  expect(forbidden).toEqual([]);
  const js = r.outputFiles?.map((f) => f.text).join('\n') ?? '';
  expect(js).not.toMatch(/contract-greeter-(server|api)|@tsmicro\/server/);
});
