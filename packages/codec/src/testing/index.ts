export { type CodecContractOptions, runCodecContract } from './codec-contract.js';
