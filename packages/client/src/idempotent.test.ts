import { describe, expect, it } from 'vitest';
import { idempotentMatcher } from './idempotent.js';

describe('idempotentMatcher', () => {
  it('matches endpoints exactly, by wildcard, and per service with a slash', () => {
    const m = idempotentMatcher(['Greeter.hello', 'Catalog.*', 'users/Users.get']);
    expect(m('greeter', 'Greeter.hello')).toBe(true);
    expect(m('greeter', 'Greeter.hello2')).toBe(false);
    expect(m('greeter', 'Greeter.update')).toBe(false);
    expect(m('shop', 'Catalog.list')).toBe(true);
    expect(m('users', 'Users.get')).toBe(true);
    expect(m('admins', 'Users.get')).toBe(false);
  });

  it('treats regex characters literally and * as everything', () => {
    expect(idempotentMatcher(['A.b'])('s', 'AXb')).toBe(false);
    expect(idempotentMatcher(['*'])('s', 'Any.thing')).toBe(true);
    expect(idempotentMatcher([])('s', 'Any.thing')).toBe(false);
  });

  it('refuses an empty pattern with a clear error', () => {
    expect(() => idempotentMatcher([''])).toThrow(/idempotent pattern is empty/);
  });
});
