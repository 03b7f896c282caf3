import { internalServerError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from './circuit-breaker.js';
import { manualClock } from './clock.js';

const boom = internalServerError('boom');

describe('circuitBreaker', () => {
  it('opens after consecutive failures, fails fast with the reason, half-opens, closes on success', () => {
    const clock = manualClock();
    const cb = circuitBreaker({ consecutiveFailures: 3, openFor: 1000, clock });
    for (let i = 0; i < 3; i++) cb.acquire('n1 Greeter.hello').done({ error: boom });
    expect(cb.state('n1 Greeter.hello')).toBe('open');
    expect(() => cb.acquire('n1 Greeter.hello')).toThrow(
      expect.objectContaining({ code: 503, detail: expect.stringMatching(/n1 Greeter\.hello.*3 consecutive failures.*retry in 1000 ms/) }),
    );
    expect(cb.state('n2 Greeter.hello')).toBe('closed');
    clock.advance(1000);
    expect(cb.state('n1 Greeter.hello')).toBe('half-open');
    const trial = cb.acquire('n1 Greeter.hello');
    expect(() => cb.acquire('n1 Greeter.hello')).toThrow(expect.objectContaining({ detail: expect.stringContaining('trial') }));
    trial.done();
    expect(cb.state('n1 Greeter.hello')).toBe('closed');
  });

  it('reopens when the trial fails', () => {
    const clock = manualClock();
    const cb = circuitBreaker({ consecutiveFailures: 1, openFor: 500, clock });
    cb.acquire('k').done({ error: boom });
    clock.advance(500);
    cb.acquire('k').done({ error: boom });
    expect(cb.state('k')).toBe('open');
    clock.advance(499);
    expect(cb.state('k')).toBe('open');
    clock.advance(1);
    expect(cb.state('k')).toBe('half-open');
  });

  it('opens on the failure rate of a window, not before minCalls', () => {
    const clock = manualClock();
    const cb = circuitBreaker({ consecutiveFailures: 100, failureRate: 0.5, minCalls: 10, window: 1000, clock });
    for (let i = 0; i < 9; i++) cb.acquire('k').done(i % 2 ? {} : { error: boom });
    expect(cb.state('k')).toBe('closed');
    cb.acquire('k').done({ error: boom });
    expect(cb.state('k')).toBe('open');
  });

  it('ignores outcomes of calls started before the circuit changed, and done() twice', () => {
    const clock = manualClock();
    const cb = circuitBreaker({ consecutiveFailures: 2, openFor: 100, clock });
    const early = cb.acquire('k');
    const p = cb.acquire('k');
    p.done({ error: boom });
    p.done({ error: boom });
    expect(cb.state('k')).toBe('closed');
    cb.acquire('k').done({ error: boom });
    expect(cb.state('k')).toBe('open');
    clock.advance(100);
    const trial = cb.acquire('k');
    early.done({ error: boom }); // stale: must not spend the trial
    trial.done();
    expect(cb.state('k')).toBe('closed');
  });

  it('keeps at most maxKeys circuits, dropping closed ones first', () => {
    const cb = circuitBreaker({ consecutiveFailures: 1, maxKeys: 2, clock: manualClock() });
    cb.acquire('open').done({ error: boom });
    cb.acquire('a').done();
    cb.acquire('b').done();
    expect(cb.state('open')).toBe('open');
    expect(cb.state('a')).toBe('closed');
  });
});
