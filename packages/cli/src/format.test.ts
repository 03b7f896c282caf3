import { stripVTControlCharacters } from 'node:util';
import { createClient, describeService } from '@tsmicro/client';
import { memoryRegistry } from '@tsmicro/registry';
import { bidiStream, createServer, serverStream } from '@tsmicro/server';
import { memoryTransport } from '@tsmicro/transport';
import { validated } from '@tsmicro/wrappers/validation';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatAge, formatDescription, schemaSummary } from './format-description.js';
import { suggest } from './suggest.js';
import { formatTable } from './table.js';

const Hello = z.object({ name: z.string().min(1), tags: z.array(z.string()).optional() });
const Reply = z.object({ message: z.string() });

describe('describe output', () => {
  it('shows kinds and the JSON Schemas validated() handlers publish, read back from the registry', async () => {
    const registry = memoryRegistry();
    const transport = memoryTransport();
    const server = createServer({ name: 'greeter', version: '1.2.0', metadata: { team: 'a' }, transport, registry });
    server.handle('Greeter', {
      hello: validated({ request: Hello, response: Reply }, async (req) => ({ message: `hi ${req.name}` })),
      ticks: serverStream(
        validated({ request: z.object({ n: z.number().int() }) }, async function* (req) {
          for (let i = 0; i < req.n; i++) yield i;
        }),
      ),
      chat: bidiStream(async function* (lines: AsyncIterable<string>) {
        yield* lines;
      }),
    });
    await server.start();
    const client = createClient({ transport, registry });
    try {
      // The schemas are enforced, and published.
      await expect(client.call('greeter', 'Greeter.hello', { name: '' })).rejects.toMatchObject({ code: 400 });
      const versions = await describeService(registry, 'greeter');
      const started = Number(versions[0]?.nodes[0]?.metadata.started);
      expect(started).toBeGreaterThan(0);
      const text = formatDescription(versions, started + 65_000);
      expect(text).toMatch(
        /^greeter 1\.2\.0 {2}team=a\n\nNODE +ADDRESS +TRANSPORT +AGE +METADATA\ngreeter-\S+ +\S+ +memory +1m5s +register_ttl=\d+\n/,
      );
      expect(text).toMatch(/Greeter\.chat +bidi-stream +- +-\n/);
      expect(text).toMatch(/Greeter\.hello +unary +\{ name: string, tags\?: string\[\] \} +\{ message: string \}\n/);
      expect(text).toMatch(/Greeter\.ticks +server-stream +\{ n: integer \} +-$/);
    } finally {
      await client.close();
      await server.stop();
      await registry.close();
    }
  });

  it('summarizes schemas it has no short form for as JSON, and ages by their largest two units', () => {
    expect(schemaSummary({ enum: ['a', 'b'] })).toBe('"a" | "b"');
    expect(schemaSummary({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toBe('string | null');
    expect(schemaSummary({ not: {} })).toBe('{"not":{}}');
    expect([formatAge(0), formatAge(59_999), formatAge(3_600_000 + 61_000), formatAge(90_000_000)]).toEqual(['0s', '59s', '1h1m', '1d1h']);
  });
});

describe('tables and suggestions', () => {
  it('aligns columns by visible width, so colour codes do not skew them', () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
    const t = formatTable(
      ['NAME', 'STATUS', 'N'],
      [
        [red('a'), 'ok', '1'],
        ['bbbb', red('down'), '22'],
      ],
    );
    expect(stripVTControlCharacters(t)).toBe('NAME  STATUS  N\na     ok      1\nbbbb  down    22');
  });

  it('suggests near names and names containing the input, best first', () => {
    const names = ['greeter', 'greeter-admin', 'orders', 'Greeter.hello', 'Greeter.chat'];
    expect(suggest('greter', names)).toEqual(['greeter']);
    expect(suggest('Greeter.helo', names)).toEqual(['Greeter.hello']);
    expect(suggest('hello', names)).toEqual(['Greeter.hello']);
    expect(suggest('payments', names)).toEqual([]);
  });
});
