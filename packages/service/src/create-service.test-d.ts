import { describe, expectTypeOf, it } from 'vitest';
import { createService } from './create-service.js';
import type { Readiness } from './health/readiness.js';
import type { ServiceOptions } from './service.js';

describe('createService: svc.readiness', () => {
  it('is always there with debug on (the default), so probes need no check', () => {
    expectTypeOf(createService({ name: 'a' }).readiness).toEqualTypeOf<Readiness>();
    expectTypeOf(createService({ name: 'a', debug: {} }).readiness).toEqualTypeOf<Readiness>();
    expectTypeOf(createService({ name: 'a' }).readiness.isReady).toEqualTypeOf<() => boolean>();
  });

  it('may be undefined when debug may be off', () => {
    expectTypeOf(createService({ name: 'a', debug: false }).readiness).toEqualTypeOf<Readiness | undefined>();
    const o: ServiceOptions = { name: 'a' };
    expectTypeOf(createService(o).readiness).toEqualTypeOf<Readiness | undefined>();
    // @ts-expect-error debug: false leaves no flag to read without a check
    void createService({ name: 'a', debug: false }).readiness.isReady;
  });
});
