import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MicroError } from './errors.js';
import { loadOptional } from './optional.js';

const require = createRequire(import.meta.url);
// A specifier held in a variable, so no bundler or type checker tries to resolve it.
const absent = 'tsmicro-no-such-package';

describe('loadOptional', () => {
  it('returns what a sync loader returns', () => {
    expect(loadOptional('pino', 'logging', () => require('pino') as object)).toBeTypeOf('function');
  });

  it('resolves what an async loader resolves', async () => {
    const mod = await loadOptional('pino', 'logging', () => import('pino'));
    expect(mod.pino).toBeTypeOf('function');
  });

  it('turns a missing package (require) into a MicroError with the install line', () => {
    let caught: unknown;
    try {
      loadOptional(absent, 'metrics()', () => require(absent));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MicroError);
    expect(caught).toMatchObject({
      code: 500,
      detail: `metrics() needs the optional package ${absent}: install ${absent} to use metrics() (npm install ${absent})`,
    });
    expect((caught as MicroError).cause).toMatchObject({ code: 'MODULE_NOT_FOUND' });
  });

  it('turns a missing package (import) into a MicroError with the install line', async () => {
    await expect(loadOptional(absent, 'natsBroker', () => import(absent))).rejects.toMatchObject({
      name: 'MicroError',
      code: 500,
      detail: expect.stringContaining(`install ${absent} to use natsBroker`),
    });
  });

  it('rethrows other failures unchanged: a missing dependency of the package is a broken install', async () => {
    const broken = Object.assign(new Error("Cannot find package 'left-pad' imported from /x/node_modules/nats/index.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    await expect(loadOptional('nats', 'natsBroker', () => Promise.reject(broken))).rejects.toBe(broken);
    const thrown = new TypeError('boom');
    expect(() =>
      loadOptional('nats', 'natsBroker', () => {
        throw thrown;
      }),
    ).toThrow(thrown);
  });
});
