export { metadataGetter, metadataSetter } from './carrier.js';
export { otelContextOf, type Tracing, type TracingOptions, tracing } from './tracing.js';
