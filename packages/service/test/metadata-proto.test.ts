import type { Context } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { pair, transports } from './fixtures.js';

const echoMetadata = {
  md: (_req: unknown, ctx: Context) => ({
    keys: Object.keys(ctx.metadata).sort(),
    proto: Object.getOwnPropertyDescriptor(ctx.metadata, '__proto__')?.value ?? null,
  }),
};

describe.each(transports)('a __proto__ metadata key over $name', ({ make }) => {
  it('arrives as a plain key, and no prototype is touched', async () => {
    const p = await pair({ transport: make(), handlers: { M: echoMetadata } });
    try {
      // A computed key: an own property named __proto__, as a header parsed from the wire would be.
      const got = await p.client.call('greeter', 'M.md', {}, { metadata: { ['__proto__']: 'x', a: 'b' } });
      expect(got).toEqual({ keys: ['__proto__', 'a'], proto: 'x' });
      expect(Object.prototype).not.toHaveProperty('x');
    } finally {
      await p.close();
    }
  });
});
