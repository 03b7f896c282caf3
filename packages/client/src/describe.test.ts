import { MicroError } from '@tsmicro/core';
import { memoryRegistry, type ServiceRecord } from '@tsmicro/registry';
import { afterEach, describe, expect, it } from 'vitest';
import { describeService } from './describe.js';

const registry = memoryRegistry();
afterEach(async () => {
  for (const s of await registry.listServices()) await registry.deregister(s);
});

const record = (version: string, endpoints: ServiceRecord['endpoints']): ServiceRecord => ({
  name: 'greeter',
  version,
  metadata: { team: 'a' },
  endpoints,
  nodes: [{ id: `n-${version}`, address: '127.0.0.1:1', metadata: {} }],
});

describe('describeService', () => {
  it('reads kinds and parsed schemas back, one description per version, endpoints sorted', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } } };
    await registry.register(
      record('1.0.0', [
        { name: 'Greeter.watch', metadata: { kind: 'server-stream' } },
        {
          name: 'Greeter.hello',
          metadata: { kind: 'unary', request_schema: JSON.stringify(schema), response_schema: '{"type":"string"}' },
        },
      ]),
    );
    await registry.register(record('2.0.0', [{ name: 'Greeter.chat', metadata: { kind: 'bidi-stream' } }]));
    const out = await describeService(registry, 'greeter');
    const v1 = out.find((d) => d.version === '1.0.0');
    expect(v1?.metadata).toEqual({ team: 'a' });
    expect(v1?.nodes.map((n) => n.id)).toEqual(['n-1.0.0']);
    expect(v1?.endpoints.map((e) => e.name)).toEqual(['Greeter.hello', 'Greeter.watch']);
    expect(v1?.endpoints[0]).toMatchObject({ kind: 'unary', requestSchema: schema, responseSchema: { type: 'string' } });
    expect(v1?.endpoints[1]).toEqual({ name: 'Greeter.watch', kind: 'server-stream', metadata: { kind: 'server-stream' } });
    expect(out.find((d) => d.version === '2.0.0')?.endpoints.map((e) => e.kind)).toEqual(['bidi-stream']);
  });

  it('tolerates foreign records: no or unknown kind reads as unary, corrupt schemas are left out', async () => {
    await registry.register(
      record('1', [
        { name: 'A.x', metadata: {} },
        { name: 'A.y', metadata: { kind: 'teleport', request_schema: '{not json', response_schema: '[1]' } },
      ]),
    );
    const [d] = await describeService(registry, 'greeter');
    expect(d?.endpoints.map((e) => [e.kind, e.requestSchema, e.responseSchema])).toEqual([
      ['unary', undefined, undefined],
      ['unary', undefined, undefined],
    ]);
  });

  it('rejects an unknown service with a 404 naming it', async () => {
    const e = await describeService(registry, 'nobody').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MicroError);
    expect((e as MicroError).code).toBe(404);
    expect((e as MicroError).detail).toContain("'nobody'");
  });
});
