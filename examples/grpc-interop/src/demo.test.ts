import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';

describe('examples/grpc-interop', () => {
  it('runs both directions in-process', async () => {
    expect(await runDemo()).toEqual({
      fromTsmicro: ['hello from grpc-js', 'tick 1', 'tick 2', 'tick 3'],
      fromGrpcJs: ['hello from tsmicro', 'ONE 1', 'TWO 2'],
    });
  });

  it('runs as a program (pnpm start) and exits by itself', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd,
      timeout: 20_000,
    });
    expect(stdout).toContain('grpc-js client got: hello from grpc-js');
    expect(stdout).toContain('tsmicro client got: TWO 2');
  });
});
