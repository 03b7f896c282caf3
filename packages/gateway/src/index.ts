export { type AccessRules, accessRules } from './access.js';
export { type ClientAddress, clientAddress } from './client-address.js';
export { createGateway } from './create-gateway.js';
export type {
  Gateway,
  GatewayAddress,
  GatewayClientOptions,
  GatewayCorsOptions,
  GatewayOptions,
  GatewayRateLimitOptions,
} from './gateway.js';
export { errorResponse, httpStatus } from './http-error.js';
export { gatewayCodec } from './passthrough-codec.js';
