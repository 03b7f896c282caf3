import { createRequire } from 'node:module';
import { MicroError } from '@tsmicro/core';

const load = createRequire(import.meta.url);

/**
 * Loads an optional peer dependency when a factory needs it (not at import time), so an app that
 * never turns a wrapper on never needs its library, and one that does gets a clear message.
 */
export function optionalPeer<T>(pkg: string, user: string): T {
  try {
    return load(pkg) as T;
  } catch (e) {
    throw new MicroError({ code: 500, detail: `install ${pkg} to use ${user} (pnpm add ${pkg})`, cause: e });
  }
}
