export { msg, stalls, text, until } from './helpers.js';
export { rawServerPeer } from './raw-peer.js';
export { expectMicroError, runTransportContract, type TransportContractOptions } from './transport-contract.js';
