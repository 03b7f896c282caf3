export { runBrokerContract } from './broker-contract.js';
export { type BrokerCapabilities, type BrokerContractOptions, msg, type Received, recorder, text } from './harness.js';
export { delay, type WaitForOptions, waitFor } from './wait.js';
