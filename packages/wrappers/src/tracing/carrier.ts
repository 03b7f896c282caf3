import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { Metadata } from '@tsmicro/core';

/** Reads propagation fields (`traceparent`, `tracestate`, `baggage`) from metadata, whose keys are lower-case. */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

/** Writes propagation fields into metadata, lower-casing keys as tsmicro metadata requires. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => {
    carrier[key.toLowerCase()] = value;
  },
};
