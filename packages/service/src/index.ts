export { createService } from './create-service.js';
export type { Hook, RunOptions, Service, ServiceHooks, ServiceOptions } from './service.js';
