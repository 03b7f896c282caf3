import { isMicroError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import type { Codec } from '../codec.js';

/** Options of {@link runCodecContract}. */
export interface CodecContractOptions {
  /** The codec under test. */
  codec: Codec;
  /** Values that must come back deep-equal after encode → decode. Default: nested plain data (objects, arrays, strings, numbers, booleans, null). */
  samples?: readonly unknown[];
  /** Whether the codec encodes plain objects, so the prototype-pollution checks apply. Default `true`. */
  structured?: boolean;
}

const plainSamples: readonly unknown[] = [
  { name: 'Ada', tags: ['a', 'b'], nested: { n: 1.5, ok: true, none: null } },
  [1, 'two', { three: 3 }],
  'héllo wörld ✓',
  0,
  -42.25,
  false,
  null,
];

/** Bytes no sane codec reads as its own format, plus truncations and noise from a fixed seed. */
function garbage(): Uint8Array[] {
  const out = [new Uint8Array([0xff, 0xfe, 0xfd]), new Uint8Array([0xc1]), new TextEncoder().encode('{"a":'), new Uint8Array([0x7b])];
  let seed = 0x2545f491;
  for (let n = 0; n < 32; n++) {
    const b = new Uint8Array(1 + (n % 17));
    for (let i = 0; i < b.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      b[i] = seed >>> 24;
    }
    out.push(b);
  }
  return out;
}

/**
 * The behaviour every `Codec` owes, as a vitest suite: a stable name and content type, round trips,
 * bad bytes refused with a 400 `MicroError` (never another error, never a crash), and no decoded
 * object with a polluted prototype. Run it from the codec's test file:
 * @example runCodecContract({ codec: json })
 * @example runCodecContract({ codec: text, samples: ['', 'hi'], structured: false })
 */
export function runCodecContract(o: CodecContractOptions): void {
  const { codec } = o;
  const samples = o.samples ?? plainSamples;
  describe(`${codec.name} codec contract`, () => {
    it('has a name and a lower-case content type without parameters', () => {
      expect(codec.name).toMatch(/^\S+$/);
      expect(codec.contentType).toMatch(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/);
    });

    it('round-trips every sample', () => {
      for (const v of samples) {
        const bytes = codec.encode(v);
        expect(bytes).toBeInstanceOf(Uint8Array);
        expect(codec.decode(bytes)).toEqual(v);
      }
    });

    it('reads bad bytes as a value or refuses them with a 400 MicroError, nothing else', () => {
      for (const b of garbage()) {
        try {
          codec.decode(b);
        } catch (e) {
          expect(isMicroError(e) ? e.code : e).toBe(400);
        }
      }
    });

    it.runIf(o.structured ?? true)('never returns an object whose prototype a __proto__ or constructor key changed', () => {
      const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "ok": 1}') as object;
      let decoded: unknown;
      try {
        decoded = codec.decode(codec.encode(hostile));
      } catch (e) {
        expect(isMicroError(e) ? e.code : e).toBe(400); // refusing is fine
        return;
      }
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    });
  });
}
