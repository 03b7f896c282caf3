export { createService } from './create-service.js';
export type { RunOptions, Service, ServiceOptions } from './service.js';
