export { allObservability, type Observability, type ObservabilityOptions } from '../all.js';
