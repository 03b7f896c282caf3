import { MicroError } from '@tsmicro/core';
import { microErrorOf } from '@tsmicro/core/testing';
import { createMux, H } from '@tsmicro/transport/rpc';
import { describe, expect, it } from 'vitest';
import { pair } from './fixtures.js';

describe('errors across the wire', () => {
  it('names an unknown service', async () => {
    const p = await pair({});
    try {
      const e = await microErrorOf(p.client.call('nosuch', 'X.y', {}));
      expect(e.code).toBe(503);
      expect(e.detail).toContain('nosuch');
    } finally {
      await p.close();
    }
  });

  it('names an unknown endpoint with a 404', async () => {
    const p = await pair({});
    try {
      const e = await microErrorOf(p.client.call('greeter', 'Greeter.nope', {}));
      expect(e.code).toBe(404);
      expect(e.detail).toContain('Greeter.nope');
      expect(e.id).toBe('greeter');
    } finally {
      await p.close();
    }
  });

  it('turns a handler throw into a 500 with the message and no stack', async () => {
    const p = await pair({});
    try {
      const e = await microErrorOf(p.client.call('greeter', 'Greeter.fail', { kind: 'plain' }));
      expect(e.code).toBe(500);
      expect(e.detail).toBe('boom');
      expect(e.id).toBe('greeter');
      expect(e.detail).not.toMatch(/\bat .*\.ts/);
    } finally {
      await p.close();
    }
  });

  it('passes a thrown MicroError through with its code, stamped with the service name', async () => {
    const p = await pair({});
    try {
      const e = await microErrorOf(p.client.call('greeter', 'Greeter.fail', { kind: 'micro' }));
      expect(e.code).toBe(404);
      expect(e.detail).toBe('no such greeting');
      expect(e.id).toBe('greeter');
    } finally {
      await p.close();
    }
  });

  it('answers an undecodable body with a 400 and an unknown content type naming it', async () => {
    const p = await pair({});
    const mux = createMux(await p.transport.dial(p.server.address));
    try {
      const head = () => ({ [H.service]: 'greeter', [H.endpoint]: 'Greeter.hello', [H.contentType]: 'application/json' });
      const bad = mux.open(head(), { body: new TextEncoder().encode('{{') }).stream;
      const e = await microErrorOf(bad.recv());
      expect(e.code).toBe(400);
      expect(e.detail).toContain('JSON');
      const h = { ...head(), [H.contentType]: 'text/xml' };
      const e2 = await microErrorOf(mux.open(h, { body: new Uint8Array(1) }).stream.recv());
      expect(e2.code).toBe(400);
      expect(e2.detail).toContain('text/xml');
    } finally {
      await mux.close();
      await p.close();
    }
  });

  it('errors mid-stream arrive as MicroError after the items sent before', async () => {
    const { serverStream } = await import('@tsmicro/server');
    const p = await pair({
      handlers: {
        S: {
          few: serverStream(async function* () {
            yield 1;
            yield 2;
            throw new MicroError({ code: 409, detail: 'stop here' });
          }),
        },
      },
    });
    try {
      const s = await p.client.stream<unknown, number>('greeter', 'S.few');
      await s.send({});
      await s.closeSend();
      const got: number[] = [];
      const e = await microErrorOf(
        (async () => {
          for await (const v of s) got.push(v);
        })(),
      );
      expect(got).toEqual([1, 2]);
      expect(e.code).toBe(409);
    } finally {
      await p.close();
    }
  });
});
