import { setTimeout as sleep } from 'node:timers/promises';
import { MicroError } from '@tsmicro/core';
import { tcpTransport } from '@tsmicro/transport';
import { expect, it } from 'vitest';
import { pair } from './fixtures.js';

it('a stopping server answers requests still on the wire with a retryable 503 instead of cutting the connection', async () => {
  const p = await pair({
    transport: tcpTransport(),
    handlers: {
      G: {
        async echo(n: number) {
          await sleep(2);
          return n;
        },
      },
    },
    client: { retries: 0 },
  });
  const address = p.server.address;
  const outcomes = { ok: 0, stopping: 0, cut: 0, other: [] as string[] };
  let firing = true;
  // Callers that keep sending to the node directly, as clients do before they see the deregistration.
  const caller = async (id: number) => {
    for (let i = 0; firing && i < 10_000; i++) {
      try {
        await p.client.call('greeter', 'G.echo', id, { address, timeout: 3000 });
        outcomes.ok++;
      } catch (e) {
        const detail = e instanceof MicroError ? `${e.code} ${e.detail}` : String(e);
        if (/is stopping|stopped before/.test(detail)) outcomes.stopping++;
        else if (/lost|closed|reset/.test(detail)) outcomes.cut++;
        else outcomes.other.push(detail);
        if (outcomes.stopping + outcomes.cut + outcomes.other.length > 0) await sleep(5);
      }
    }
  };
  const callers = Array.from({ length: 32 }, (_, i) => caller(i));
  try {
    await sleep(150);
    const stopped = p.server.stop();
    await sleep(120);
    firing = false;
    await stopped;
    await Promise.all(callers);
    // Without the lame-duck period every call on the wire at close time was cut (32 of 32 here).
    expect(outcomes.cut).toBe(0);
    expect(outcomes.stopping).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
  } finally {
    firing = false;
    await Promise.allSettled(callers);
    await p.close();
  }
});
