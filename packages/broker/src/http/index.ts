export { httpBroker } from './broker.js';
export type { HttpBrokerOptions } from './options.js';
