import { describe, expect, it } from 'vitest';
import { memoryTransport } from './memory.js';
import { expectMicroError, runTransportContract } from './testing/index.js';

runTransportContract({ name: 'memory', newTransport: memoryTransport, listenAddress: '', backpressureLimit: 2000 });

describe('memoryTransport', () => {
  it('binds named addresses, refuses a taken one, and picks unique ones', async () => {
    const t = memoryTransport();
    const a = await t.listen('memory:greeter');
    expect(a.address).toBe('memory:greeter');
    await expectMicroError(t.listen('memory:greeter'), 409);
    const b = await t.listen('');
    const c = await t.listen('memory:');
    expect(new Set([a.address, b.address, c.address]).size).toBe(3);
    await Promise.all([a.close(), b.close(), c.close()]);
    const again = await t.listen('memory:greeter');
    await again.close();
  });

  it('keeps each instance its own address space', async () => {
    const one = memoryTransport();
    const l = await one.listen('memory:x');
    const e = await expectMicroError(memoryTransport().dial('memory:x'), 503);
    expect(e.detail).toContain('memory:x');
    await l.close();
  });

  it('passes messages by reference', async () => {
    const t = memoryTransport();
    const l = await t.listen('');
    const accepted = new Promise<import('./transport.js').Socket>((r) => l.accept(r));
    const c = await t.dial(l.address);
    const m = { header: {}, body: new Uint8Array([1]) };
    await c.send(m);
    expect(await (await accepted).recv()).toBe(m);
    await l.close();
  });
});
