import type { Context, Logger } from '@tsmicro/core';
import type { HandlerFunc, HandlerWrapper, ServerContext } from '@tsmicro/server';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../test/fixture.js';
import { allObservability } from '../all.js';

/** The one handler wrapper `allObservability` gives. */
function onlyHandlerWrapper(obs: { handler: readonly unknown[] }): HandlerWrapper {
  expect(obs.handler).toHaveLength(1);
  return obs.handler[0] as HandlerWrapper;
}

/** The context a server gives a unary handler, as plain data. */
function serverContext(logger: Logger): ServerContext {
  const ctx: Context & { kind: 'unary'; node: string; peer: string; setTrailer(): void } = {
    metadata: { 'x-request-id': 'rid-1' },
    signal: new AbortController().signal,
    service: 'greeter',
    endpoint: 'G.hi',
    logger,
    kind: 'unary',
    node: 'node-1',
    peer: '127.0.0.1:4000',
    setTrailer() {},
  };
  return ctx;
}

describe('the fused handler wrapper', () => {
  it('hands back a plain result as it came (no promise), after logging and counting it', async () => {
    const cap = captureLogger('info');
    const obs = allObservability({ logging: { logger: cap.logger } });
    // The server passes a synchronous handler's plain result down its chain of wrappers.
    const plain: HandlerFunc = (req) => ({ echo: req });
    const wrapped = onlyHandlerWrapper(obs)(plain);
    const out: unknown = wrapped('x', serverContext(cap.logger));
    expect(out).toEqual({ echo: 'x' });
    expect(out).not.toBeInstanceOf(Promise);
    expect(cap.lines()).toMatchObject([{ msg: 'handled', endpoint: 'G.hi', requestId: 'rid-1', code: 200 }]);
    expect(await obs.registry?.metrics()).toContain('tsmicro_server_handled_total{service="greeter",endpoint="G.hi",code="200"} 1');
  });

  it('reports a handler that throws synchronously as a rejection, logged with its code', async () => {
    const cap = captureLogger('info');
    const obs = allObservability({ logging: { logger: cap.logger }, tracing: false });
    const throwing: HandlerFunc = () => {
      throw new Error('boom');
    };
    const wrapped = onlyHandlerWrapper(obs)(throwing);
    await expect(wrapped('x', serverContext(cap.logger)) as Promise<unknown>).rejects.toThrow('boom');
    expect(cap.lines()).toMatchObject([{ msg: 'handled', code: 500 }]);
    expect(await obs.registry?.metrics()).toContain('tsmicro_server_handled_total{service="greeter",endpoint="G.hi",code="500"} 1');
  });
});

describe('the fused client wrappers', () => {
  it('hand back the promise next gave them (calls and publishes), so the client adds no conversion per call', async () => {
    const obs = allObservability({ logging: false });
    expect(obs.call.length + obs.stream.length + obs.publish.length).toBe(3);
    const answer = Promise.resolve('pong');
    const call = obs.call[0]!(() => answer);
    expect(call({ service: 'greeter', endpoint: 'G.hi', body: {} }, {})).toBe(answer);
    const sent = Promise.resolve();
    const publish = obs.publish[0]!(() => sent);
    expect(publish({ topic: 't.x', payload: {}, options: {} }, {})).toBe(sent);
    await answer;
    expect(await obs.registry?.metrics()).toContain('tsmicro_client_calls_total{service="greeter",endpoint="G.hi",code="200"} 1');
  });
});
