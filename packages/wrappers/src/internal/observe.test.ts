import type { Context, Logger } from '@tsmicro/core';
import type { HandlerFunc, ServerContext } from '@tsmicro/server';
import { describe, expect, it } from 'vitest';
import { allObservability } from '../all.js';
import { captureLogger } from '../testing-fixture.js';

/** The context a server gives a unary handler, as plain data. */
function serverContext(logger: Logger): ServerContext {
  const ctx: Context & { kind: 'unary'; node: string; peer: string } = {
    metadata: { 'x-request-id': 'rid-1' },
    signal: new AbortController().signal,
    service: 'greeter',
    endpoint: 'G.hi',
    logger,
    kind: 'unary',
    node: 'node-1',
    peer: '127.0.0.1:4000',
  };
  return ctx;
}

describe('the fused handler wrapper', () => {
  it('hands back a plain result as it came (no promise), after logging and counting it', async () => {
    const cap = captureLogger('info');
    const obs = allObservability({ logging: { logger: cap.logger } });
    // A server that calls handlers synchronously passes their plain results down the chain.
    const plain = ((req: unknown) => ({ echo: req })) as unknown as HandlerFunc;
    const wrapped = obs.handler.reduceRight((next, w) => w(next), plain);
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
    const wrapped = obs.handler.reduceRight((next, w) => w(next), throwing);
    await expect(wrapped('x', serverContext(cap.logger))).rejects.toThrow('boom');
    expect(cap.lines()).toMatchObject([{ msg: 'handled', code: 500 }]);
    expect(await obs.registry?.metrics()).toContain('tsmicro_server_handled_total{service="greeter",endpoint="G.hi",code="500"} 1');
  });
});
