import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../test/fixture.js';
import { LogPart } from './log-part.js';

const shape = /^[A-Za-z0-9_-]{12}$/;

describe('request ids', () => {
  it('are 12 URL-safe characters, unique across the counter groups formatted every 64 ids, and differ between processes', () => {
    const a = new LogPart({ logger: captureLogger().logger });
    const ids = Array.from({ length: 20_000 }, () => a.freshId());
    for (const id of ids) expect(id).toMatch(shape);
    expect(new Set(ids).size).toBe(20_000);
    // One prefix, a counter after it: the 64th id carries on into the next group (…AAA_ then …AABA).
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(1);
    expect(ids[63]?.slice(8)).toBe('AAA_');
    expect(ids[64]?.slice(8)).toBe('AABA');
    const b = new LogPart({ logger: captureLogger().logger });
    expect(b.freshId().slice(0, 8)).not.toBe(ids[0]?.slice(0, 8));
  });
});
