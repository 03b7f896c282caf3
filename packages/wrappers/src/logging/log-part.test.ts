import { describe, expect, it } from 'vitest';
import { captureLogger } from '../testing-fixture.js';
import { LogPart } from './log-part.js';

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are UUID v4 strings, unique across the counter groups formatted every 256 ids, and differ between processes', () => {
    const a = new LogPart({ logger: captureLogger().logger });
    const ids = Array.from({ length: 1000 }, () => a.freshId());
    for (const id of ids) expect(id).toMatch(uuidV4);
    expect(new Set(ids).size).toBe(1000);
    // Consecutive ids across a group boundary count on: …0ff, …100.
    expect(ids[254]?.slice(-3)).toBe('0ff');
    expect(ids[255]?.slice(-3)).toBe('100');
    const b = new LogPart({ logger: captureLogger().logger });
    expect(b.freshId().slice(0, 23)).not.toBe(ids[0]?.slice(0, 23));
  });
});
