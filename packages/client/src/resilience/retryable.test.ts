import { badGateway, badRequest, canceled, internalServerError, notFound, serviceUnavailable, timeout } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { isRetryable } from './retryable.js';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });

describe('isRetryable', () => {
  it('retries connect errors always, 503 and 408 only when no handler can have run the call', () => {
    expect(isRetryable(refused)).toBe(true);
    expect(isRetryable(serviceUnavailable('draining'), { sent: false })).toBe(true);
    expect(isRetryable(serviceUnavailable('a handler said so'), { sent: true })).toBe(false);
    expect(isRetryable(timeout('dial'), { sent: false })).toBe(true);
    expect(isRetryable(timeout('deadline'), { sent: true })).toBe(false);
  });

  it('retries an outcome-unknown 502 only for idempotent calls', () => {
    expect(isRetryable(badGateway('connection lost after the request was sent'), { sent: true })).toBe(false);
    expect(isRetryable(badGateway('connection lost after the request was sent'), { sent: true, idempotent: true })).toBe(true);
  });

  it('does not retry non-idempotent calls that may have run', () => {
    expect(isRetryable(reset, { sent: true })).toBe(false);
    expect(isRetryable(internalServerError('boom'))).toBe(false);
    expect(isRetryable(reset, { sent: false })).toBe(true);
  });

  it('retries any error when idempotent, except cancellation and request errors', () => {
    expect(isRetryable(reset, { idempotent: true })).toBe(true);
    expect(isRetryable(internalServerError('boom'), { idempotent: true })).toBe(true);
    expect(isRetryable(timeout('slow'), { idempotent: true })).toBe(true);
    for (const e of [badRequest('x'), notFound('x'), canceled('x'), abort]) expect(isRetryable(e, { idempotent: true })).toBe(false);
  });
});
