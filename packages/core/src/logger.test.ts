import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isMicroError } from './errors.js';
import { createLogger } from './logger.js';

describe('createLogger({ dest })', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tsmicro-log-'));
    dirs.push(d);
    return d;
  };

  it('writes JSON lines to a file path, creating missing directories, readable at once (sync)', () => {
    const file = join(tempDir(), 'nested', 'svc.log');
    const log = createLogger({ name: 'greeter', dest: file });
    log.info({ k: 1 }, 'hello');
    log.debug('below the level');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ name: 'greeter', msg: 'hello', k: 1, level: 30 });
  });

  it('writes to any stream with write(line), and children inherit it', () => {
    const got: string[] = [];
    const log = createLogger({ level: 'debug', dest: { write: (line) => got.push(line) } });
    log.child({ component: 'registry' }).debug('seen');
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0] ?? '{}')).toMatchObject({ component: 'registry', msg: 'seen', level: 20 });
  });

  it.each([[''], [-1], [1.5]])('refuses dest %j with a 400 saying what to give', (dest) => {
    let thrown: unknown;
    try {
      createLogger({ dest });
    } catch (e) {
      thrown = e;
    }
    expect(isMicroError(thrown) && thrown.code).toBe(400);
    expect((thrown as Error).message).toMatch(/descriptor/);
  });
});
