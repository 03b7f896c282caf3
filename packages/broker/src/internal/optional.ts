import { MicroError } from '@tsmicro/core';

/**
 * Imports an optional peer dependency at run time, so apps that never use this adapter need not
 * install its client. A missing package becomes a `MicroError` telling the user what to install.
 */
export async function importOptional<T>(specifier: string, user: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new MicroError({
        code: 500,
        detail: `install ${specifier} to use ${user} (pnpm add ${specifier})`,
        cause: e,
      });
    }
    throw e;
  }
}
