import { timeout } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { Deadlines } from './deadlines.js';
import { callScope } from './scope.js';

/** Polls `cond` every few ms, up to `ms`. */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
}

const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('deadlines shared by scopes of the same timeout length', () => {
  const deadlines = new Deadlines();
  it('expire each scope at its own deadline, also after the head of the list left early', async () => {
    const fired: string[] = [];
    const mk = (name: string, ms: number) =>
      callScope({
        deadline: Date.now() + ms,
        onDeadline: () => {
          fired.push(name);
          return timeout(name);
        },
        deadlines,
      });
    const first = mk('first', 40);
    await new Promise((r) => setTimeout(r, 5));
    const second = mk('second', 40);
    const short = mk('short', 10);
    first.dispose();
    await until(() => fired.length === 2);
    expect(fired).toEqual(['short', 'second']);
    expect(short.aborted).toBe(true);
    expect(second.aborted).toBe(true);
    expect((second.reason as Error).message).toContain('second');
    expect(first.aborted).toBe(false);
  });

  it("keeps no process alive once every scope is disposed (no ref'd timer left)", async () => {
    const before = activeTimers();
    const scopes = Array.from({ length: 50 }, (_, i) =>
      callScope({ deadline: Date.now() + 60_000 + (i % 3), onDeadline: () => timeout('x'), deadlines }),
    );
    expect(activeTimers()).toBeGreaterThan(before);
    for (const s of scopes) s.dispose();
    expect(activeTimers()).toBe(before);
  });

  it('fires for a scope that refills a list emptied before its timer ran', async () => {
    const early = callScope({ deadline: Date.now() + 30, onDeadline: () => timeout('early'), deadlines });
    early.dispose();
    await new Promise((r) => setTimeout(r, 10));
    const late = callScope({ deadline: Date.now() + 30, onDeadline: () => timeout('late'), deadlines });
    await until(() => late.aborted);
    expect(late.aborted).toBe(true);
    expect(early.aborted).toBe(false);
  });

  it('treats a NaN deadline as passed', () => {
    const s = callScope({ deadline: Number.NaN, onDeadline: () => timeout('nan'), deadlines });
    expect(s.aborted).toBe(true);
  });

  it("keeps each owner's scopes in its own lists: same-length deadlines of two owners wait on two timers", async () => {
    const before = activeTimers();
    const a = new Deadlines();
    const b = new Deadlines();
    const fired: string[] = [];
    const mk = (owner: Deadlines, name: string) =>
      callScope({
        deadline: Date.now() + 30,
        deadlines: owner,
        onDeadline: () => {
          fired.push(name);
          return timeout(name);
        },
      });
    const sa = mk(a, 'a');
    const sb = mk(b, 'b');
    expect(activeTimers()).toBe(before + 2);
    sa.dispose();
    await until(() => sb.aborted);
    expect(fired).toEqual(['b']);
    expect(sa.aborted).toBe(false);
  });
});
