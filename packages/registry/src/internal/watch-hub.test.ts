import { describe, expect, it } from 'vitest';
import type { WatchEvent } from '../registry.js';
import { makeNode, makeRecord } from '../testing/registry-contract.js';
import { createWatchHub } from './watch-hub.js';

const event = (name: string): WatchEvent => ({ action: 'create', service: makeRecord(name, '1', [makeNode('n1')]) });

describe('watch hub', () => {
  it('keeps events emitted before iteration, gives each watcher its own copy, and filters by service', async () => {
    const hub = createWatchHub();
    const all = hub.watch();
    const onlyB = hub.watch({ service: 'b' });
    hub.emit(event('a'));
    hub.emit(event('b'));
    const first = await all.next();
    expect(first.value?.service.name).toBe('a');
    expect((await all.next()).value?.service.name).toBe('b');
    const b = await onlyB.next();
    expect(b.value?.service.name).toBe('b');
    expect(b.value?.service).not.toBe(first.value?.service);
    hub.close();
    expect((await all.next()).done).toBe(true);
  });

  it('calls onEmpty when the last live watcher ends, and never for one born ended', async () => {
    let emptied = 0;
    const hub = createWatchHub(() => emptied++);
    const aborted = new AbortController();
    aborted.abort();
    const dead = hub.watch({ signal: aborted.signal });
    expect((await dead.next()).done).toBe(true);
    expect(emptied).toBe(0);
    const stop = new AbortController();
    const one = hub.watch({ signal: stop.signal });
    const two = hub.watch();
    expect(hub.size).toBe(2);
    stop.abort();
    expect((await one.next()).done).toBe(true);
    expect(emptied).toBe(0);
    await two.return?.();
    expect(hub.size).toBe(0);
    expect(emptied).toBe(1);
    hub.close();
    expect((await hub.watch().next()).done).toBe(true);
    expect(emptied).toBe(1);
  });
});
