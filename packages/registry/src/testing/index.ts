export { type HandleTracker, trackHandles } from './handles.js';
export { ensureLoopbackMulticast, probeLoopbackMulticast } from './loopback-multicast.js';
export { makeNode, makeRecord, type RegistryContractOptions, runRegistryContract, uniqueName } from './registry-contract.js';
export { nextMatching, type WaitOptions, waitFor } from './wait.js';
