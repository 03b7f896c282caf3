import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const child = fileURLToPath(new URL('../../test/fixtures/exit-child.ts', import.meta.url));

it('leaves nothing open after close: a process using the transports exits on its own', async () => {
  const out = await new Promise<string>((resolve, reject) => {
    execFile('node', ['--conditions=source', '--import', 'tsx', child], { timeout: 15_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`child failed or hung: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
  expect(out).toBe('done\n');
});
