import { MicroError } from '@tsmicro/core';

export type Etcd3Module = typeof import('etcd3');

/**
 * Loads the optional `etcd3` peer dependency on first use, so apps that never use etcd need not install it.
 * `importer` is replaceable to test the missing-dependency message.
 */
export async function loadEtcd3(importer: () => Promise<Etcd3Module> = () => import('etcd3')): Promise<Etcd3Module> {
  try {
    return await importer();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new MicroError({
        code: 500,
        detail: 'etcdRegistry needs the etcd3 package: install etcd3 to use etcdRegistry (npm install etcd3)',
        cause: e,
      });
    }
    throw e;
  }
}
