import { timeout } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { bulkhead } from './bulkhead.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('bulkhead', () => {
  it('runs up to maxConcurrent, queues up to maxQueue in order, refuses the rest with 429', async () => {
    const bh = bulkhead({ maxConcurrent: 2, maxQueue: 1, name: 'greeter' });
    const gates = [deferred(), deferred(), deferred()];
    const order: number[] = [];
    const runs = gates.map((g, i) =>
      bh.run(async () => {
        order.push(i);
        await g.promise;
        return i;
      }),
    );
    await expect(bh.run(async () => 9)).rejects.toMatchObject({ code: 429, detail: expect.stringContaining('greeter') });
    expect(bh.active).toBe(2);
    expect(bh.queued).toBe(1);
    gates[0]!.resolve();
    expect(await runs[0]).toBe(0);
    await Promise.resolve();
    expect(order).toEqual([0, 1, 2]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(bh.active).toBe(0);
  });

  it('drops a queued call whose signal aborts, with the abort reason', async () => {
    const bh = bulkhead({ maxConcurrent: 1, maxQueue: 5 });
    const release = await bh.acquire();
    const ac = new AbortController();
    const waiting = bh.acquire({ signal: ac.signal });
    expect(bh.queued).toBe(1);
    ac.abort(timeout('deadline passed'));
    await expect(waiting).rejects.toMatchObject({ code: 408 });
    expect(bh.queued).toBe(0);
    release();
    release();
    expect(bh.active).toBe(0);
  });

  it('releases the slot when the function throws', async () => {
    const bh = bulkhead({ maxConcurrent: 1 });
    await expect(bh.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await bh.run(async () => 'ok')).toBe('ok');
  });
});
