export { createClient, type ServiceClientOptions } from './create-client.js';
export { createService } from './create-service.js';
// `./health` and `./plugins` are entries of their own too: their index files are the one list of each,
// so the root and the subpaths cannot drift apart.
export * from './health/index.js';
export * from './plugins/index.js';
export type { Hook, RunOptions, Service, ServiceHooks, ServiceOptions } from './service.js';
