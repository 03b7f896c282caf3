import { emptyMetadata, isMergedMetadata, mergeMetadata } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { H, readMetadata, writeMetadata } from './headers.js';

describe('metadata in headers', () => {
  it('copies lower-case keys and never a key that would be (or overwrite) a protocol header', () => {
    const header: Record<string, string> = { [H.service]: 'real' };
    const md = emptyMetadata();
    md['x-request-id'] = 'r1';
    md[H.service] = 'forged';
    md.Other = 'upper';
    writeMetadata(header, md);
    expect(header).toEqual({ [H.service]: 'real', 'x-request-id': 'r1' });
  });

  it('reads back only the metadata keys of a header, into a merged (lower-cased) object', () => {
    const md = readMetadata({ [H.id]: '1', [H.frame]: 'request', traceparent: 't', 'x-a': 'b' });
    expect({ ...md }).toEqual({ traceparent: 't', 'x-a': 'b' });
    expect(isMergedMetadata(md)).toBe(true);
    expect(isMergedMetadata({ a: 'b' })).toBe(false);
    expect(isMergedMetadata(mergeMetadata({ A: 'b' }))).toBe(true);
  });
});
