export { contractNodes, runSelectorContract, type SelectorContractOptions } from './selector-contract.js';
