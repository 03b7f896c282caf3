import { silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { memoryTransport } from '@tsmicro/transport';
import { withSchemas } from '@tsmicro/transport/rpc';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServer } from './create-server.js';
import { endpointMetadata } from './endpoint-meta.js';
import { bidiStream, clientStream, serverStream } from './markers.js';

const Hello = z.object({ name: z.string().min(1), times: z.number().int().default(1) });
const Reply = z.object({ msg: z.string() });

describe('endpointMetadata', () => {
  it('records the kind, and the request input / response output JSON Schemas', () => {
    const fn = withSchemas(async () => ({ msg: 'x' }), { request: Hello, response: Reply });
    const meta = endpointMetadata(fn, 'unary', silentLogger());
    expect(meta.kind).toBe('unary');
    const req = JSON.parse(meta.request_schema ?? 'null') as { properties: object; required: string[] };
    // The input side: `times` has a default, so a caller may leave it out.
    expect(req.required).toEqual(['name']);
    expect(req.properties).toMatchObject({ name: { type: 'string', minLength: 1 }, times: { type: 'integer' } });
    expect(JSON.parse(meta.response_schema ?? 'null')).toMatchObject({ type: 'object', required: ['msg'] });
  });

  it('records only the kind without schemas, or for a schema that cannot describe itself', () => {
    expect(endpointMetadata(async () => 1, 'server-stream', silentLogger())).toEqual({ kind: 'server-stream' });
    const opaque = { '~standard': { version: 1, vendor: 'x', validate: (v: unknown) => ({ value: v }) } };
    expect(
      endpointMetadata(
        withSchemas(async () => 1, { request: opaque }),
        'unary',
        silentLogger(),
      ),
    ).toEqual({ kind: 'unary' });
  });

  it('skips a schema whose JSON Schema conversion throws, keeping the other', () => {
    const fn = withSchemas(async () => 1, { request: z.object({ at: z.date() }), response: Reply });
    const meta = endpointMetadata(fn, 'unary', silentLogger());
    expect(meta.request_schema).toBeUndefined();
    expect(meta.response_schema).toBeDefined();
  });
});

describe('registered endpoint metadata', () => {
  it('publishes every endpoint with its kind and schemas in the registry record', async () => {
    const registry = memoryRegistry();
    const server = createServer({ name: 'meta', transport: memoryTransport(), registry });
    server.handle('G', {
      hello: withSchemas(async (req: { name: string }) => ({ msg: req.name }), { request: Hello, response: Reply }),
      watch: serverStream(withSchemas(async function* () {}, { response: Reply })),
      upload: clientStream(async () => 1),
      chat: bidiStream(async function* () {}),
    });
    await server.start();
    try {
      const [rec] = await registry.getService('meta');
      const byName = Object.fromEntries((rec?.endpoints ?? []).map((e) => [e.name, e.metadata]));
      expect(Object.keys(byName).sort()).toEqual(['G.chat', 'G.hello', 'G.upload', 'G.watch']);
      expect(byName['G.hello']).toMatchObject({ kind: 'unary', request_schema: expect.any(String), response_schema: expect.any(String) });
      expect(byName['G.watch']).toEqual({ kind: 'server-stream', response_schema: expect.stringContaining('"msg"') });
      expect(byName['G.upload']).toEqual({ kind: 'client-stream' });
      expect(byName['G.chat']).toEqual({ kind: 'bidi-stream' });
    } finally {
      await server.stop();
      await registry.close();
    }
  });
});
