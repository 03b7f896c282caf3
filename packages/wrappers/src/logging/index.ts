export { type Logging, type LoggingOptions, logging, requestIdKey } from './logging.js';
