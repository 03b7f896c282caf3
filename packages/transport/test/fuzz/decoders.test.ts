import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PREFACE, STATIC_TABLE } from '../../src/tcp/wire.js';
import { cutsArb, encodeFrame, frameArb, messageArb, mutate, streamArb } from './frames.js';
import { runs } from './runs.js';
import { fuzzHeaderBytes, fuzzHeaderRoundTrip, fuzzReader, traceReader } from './targets.js';

const params = runs();
const MAX = 1024;

describe('fuzz: tcp frame decoder', () => {
  it('survives random, mutated and spliced streams cut at random chunk boundaries', () => {
    let failures = 0;
    fc.assert(
      fc.property(streamArb, cutsArb, (stream, cuts) => {
        if (fuzzReader(stream, cuts, MAX).failed) failures++;
      }),
      params,
    );
    // The generator reaches the error path, not only the happy one.
    expect(failures).toBeGreaterThan(0);
  });

  it('decodes valid frames identically however they are chunked', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 6 }), cutsArb, (msgs, cuts) => {
        const t = fuzzReader(mutate(msgs.map(encodeFrame), []), cuts, 1 << 20);
        expect(t.failed).toBe(false);
        expect(t.events.filter((e) => e.startsWith('m '))).toHaveLength(msgs.length);
      }),
      params,
    );
  });

  it('refuses any announced length over 64 times the limit from the prefix alone, before buffering', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX * 64 + 1, max: 0xffffffff }), fc.integer({ min: 1, max: 5 }), (len, cut) => {
        const head = Buffer.alloc(5);
        head.writeUInt32BE(len, 0);
        const t = traceReader(Buffer.concat([PREFACE, head]), [cut], MAX);
        expect(t.events.at(-1)).toMatch(/^fail 413 /);
        expect(t.maxAlloc).toBeLessThanOrEqual(4);
      }),
      params,
    );
  });

  it('gathers a frame of exactly the limit split into single bytes', () => {
    const f = encodeFrame({ header: { a: 'b' }, body: new Uint8Array(MAX - 6) });
    expect(f.length).toBe(MAX + 5);
    const t = fuzzReader(Buffer.concat([PREFACE, f]), [1], MAX);
    expect(t.failed).toBe(false);
    expect(t.maxAlloc).toBe(MAX + 1);
  });

  it('refuses a complete frame over a tiny limit with a 413 naming its size', () => {
    const f = Buffer.concat([PREFACE, encodeFrame({ header: {}, body: new Uint8Array(1000) })]);
    const t = fuzzReader(f, [3], 10);
    expect(t.events.at(-1)).toMatch(/^fail 413 peer announced a frame of 1003 bytes/);
    expect(t.maxAlloc).toBeLessThanOrEqual(4);
  });

  it('skips a frame over the limit (up to 64 times it) unread: its header arrives flagged with the size, nothing over the limit is allocated', () => {
    const f = Buffer.concat([
      PREFACE,
      encodeFrame({ header: { a: 'b' }, body: new Uint8Array(100) }),
      encodeFrame({ header: {}, body: new Uint8Array(1) }),
    ]);
    const t = fuzzReader(f, [3], 10);
    expect(t.failed).toBe(false);
    expect(t.events.slice(1)).toEqual(['m [["a","b"],["Micro-Oversize","106"]] ', 'm [] 00']);
    expect(t.maxAlloc).toBeLessThanOrEqual(11);
  });
});

describe('fuzz: header codec', () => {
  const key = fc.oneof(fc.constantFrom(...STATIC_TABLE, '__proto__', 'constructor', 'prototype', 'toString'), fc.string({ maxLength: 70 }));
  const value = fc.oneof(
    fc.constantFrom(...STATIC_TABLE),
    fc.string({ unit: 'grapheme', maxLength: 100 }),
    fc.string({ maxLength: 70_000 }),
  );

  it('round-trips any header, dangerous keys included, without touching a prototype', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 10 }), (entries) => {
        const h: Record<string, string> = {};
        for (const [k, v] of entries) Object.defineProperty(h, k, { value: v, enumerable: true, writable: true, configurable: true });
        fuzzHeaderRoundTrip(h);
      }),
      { ...params, numRuns: Math.ceil((params.numRuns ?? 200) / 4) },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('turns random and mutated header bytes into a header or a 400, never a crash', () => {
    const validThenMutated = fc
      .tuple(messageArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
      .map(([m, edits]) => {
        const block = Buffer.from(encodeFrame({ header: m.header, body: new Uint8Array(0) }).subarray(5));
        for (const [at, v] of edits) if (block.length > 0) block[at % block.length] = v;
        return new Uint8Array(block);
      });
    let decoded = 0;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 96 }), validThenMutated), (bytes) => {
        if (fuzzHeaderBytes(bytes)) decoded++;
      }),
      params,
    );
    expect(decoded).toBeGreaterThan(0);
  });
});

describe('fuzz: frame generator', () => {
  it('produces frames the decoder accepts before mutation', () => {
    fc.assert(
      fc.property(frameArb, (f) => {
        expect(traceReader(Buffer.concat([PREFACE, f]), [f.length + 8], 1 << 20).failed).toBe(false);
      }),
      { ...params, numRuns: 50 },
    );
  });
});
