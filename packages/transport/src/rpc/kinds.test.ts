import { describe, expect, it } from 'vitest';
import { handlerKind, kindOf, registeredKind } from './kinds.js';

describe('reading a call shape', () => {
  it('registeredKind reads the kind a record names, and unary for none or an unknown one', () => {
    expect(registeredKind({ kind: 'server-stream' })).toBe('server-stream');
    expect(registeredKind({ kind: 'client-stream' })).toBe('client-stream');
    expect(registeredKind({ kind: 'bidi-stream' })).toBe('bidi-stream');
    expect(registeredKind({ kind: 'unary' })).toBe('unary');
    expect(registeredKind({})).toBe('unary');
    expect(registeredKind({ kind: 'firehose' })).toBe('unary');
  });

  it('kindOf reads a handler’s mark the same way', () => {
    const marked = Object.assign(() => undefined, { [handlerKind]: 'bidi-stream' });
    expect(kindOf(marked)).toBe('bidi-stream');
    expect(kindOf(Object.assign(() => undefined, { [handlerKind]: 'firehose' }))).toBe('unary');
    expect(kindOf(() => undefined)).toBe('unary');
  });
});
