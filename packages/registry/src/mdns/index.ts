export { mdnsRegistry } from './mdns.js';
export type { MdnsRegistryOptions } from './options.js';
