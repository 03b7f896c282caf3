import { internalServerError } from './errors.js';

/**
 * Loads an optional peer dependency when a feature first needs it, so an app that never uses the
 * feature never installs the package. `load` does the import (or `require`) from the caller's own
 * module, so the package resolves from the caller's location; only the "not installed" failure of
 * `pkg` itself becomes a `MicroError` (500) that names the install line. Any other failure (a broken
 * install, an error thrown by the package) is rethrown unchanged. Works for sync and async loaders.
 * @example const nats = await loadOptional('nats', 'natsBroker', () => import('nats'))
 * @example const prom = loadOptional('prom-client', 'metrics()', () => require('prom-client') as typeof Prom)
 */
export function loadOptional<T>(pkg: string, user: string, load: () => T): T {
  let out: T;
  try {
    out = load();
  } catch (e) {
    throw notInstalled(pkg, user, e);
  }
  if (out instanceof Promise) {
    return out.catch((e: unknown) => {
      throw notInstalled(pkg, user, e);
    }) as T;
  }
  return out;
}

/** The error to throw for a failed load: the install advice when `pkg` itself is missing, else `e`. */
function notInstalled(pkg: string, user: string, e: unknown): unknown {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  // A missing dependency *of* pkg is a broken install, not an absent optional feature.
  if (!missing || typeof message !== 'string' || !message.includes(`'${pkg}'`)) return e;
  return internalServerError(`${user} needs the optional package ${pkg}: install ${pkg} to use ${user} (npm install ${pkg})`, { cause: e });
}
