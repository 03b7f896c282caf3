export { type Context, earliest, remaining } from './context.js';
export {
  badGateway,
  badRequest,
  canceled,
  conflict,
  ErrorCode,
  type ErrorOptions,
  forbidden,
  gatewayTimeout,
  internalServerError,
  isMicroError,
  MicroError,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
  timeout,
  toMicroError,
  tooManyRequests,
  unauthorized,
} from './errors.js';
export { createLogger, type LogDestination, type Logger, type LoggerOptions, silentLogger } from './logger.js';
export { emptyMetadata, isMergedMetadata, type Metadata, mergeMetadata } from './metadata.js';
export { loadOptional } from './optional.js';
export { retryAfterMs } from './retry-after.js';
export { decodeError, encodeError } from './wire-error.js';
