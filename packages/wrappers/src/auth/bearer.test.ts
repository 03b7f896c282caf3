import type { CallOptions, CallRequest } from '@tsmicro/client';
import { describe, expect, it } from 'vitest';
import { bearerToken } from './bearer.js';

const req: CallRequest = { service: 'greeter', endpoint: 'G.hi', body: {} };

describe('bearerToken', () => {
  it('with a fixed token, adds it and hands back the promise next gave (the client then converts nothing)', async () => {
    const seen: CallOptions[] = [];
    const answer = Promise.resolve('pong');
    const call = bearerToken({ token: 't0k3n' }).call((_r, o) => {
      seen.push(o);
      return answer;
    });
    expect(call(req, { metadata: { who: 'me' } })).toBe(answer);
    expect(seen[0]?.metadata).toEqual({ who: 'me', authorization: 'Bearer t0k3n' });
    expect(call(req, { metadata: { authorization: 'Bearer mine' } })).toBe(answer);
    expect(seen[1]?.metadata).toEqual({ authorization: 'Bearer mine' });
    expect(await answer).toBe('pong');
  });

  it('with getToken, waits for the token, and asks for none when the caller sent its own', async () => {
    let asked = 0;
    const seen: CallOptions[] = [];
    const call = bearerToken({
      getToken: async () => `fresh-${++asked}`,
    }).call(async (_r, o) => {
      seen.push(o);
      return 'pong';
    });
    expect(await call(req, {})).toBe('pong');
    expect(await call(req, { metadata: { authorization: 'Bearer mine' } })).toBe('pong');
    expect(asked).toBe(1);
    expect(seen.map((o) => o.metadata?.authorization)).toEqual(['Bearer fresh-1', 'Bearer mine']);
  });
});
